// A hand-built cdr-pairs dataset on disk, shared by the importer tests and the CLI tests.
#pragma once

#include <string>

#include "tests/graph_io/import_test_support.h"
#include "tests/support/test_support.h"

namespace graft::testing {

// books_movies/ and movies_books/ with 2 shared users (0, 1). User 1 is cold in books, user 0
// cold in movies; books has private users 2 and 3, movies private user 2.
struct CdrFolders {
  TempDir dir;
  std::string books, movies;

  CdrFolders() {
    books = (dir.path() / "books_movies").string();
    movies = (dir.path() / "movies_books").string();
    dir.write("books_movies/common_new_reindex.txt", "10\t1\t1\n11\t2\t1\n10\t3\t1\n");
    dir.write("books_movies/train.txt", "0\t5\n2\t6\n3\t5\n");
    dir.write("books_movies/valid.txt", "1\t6\n");
    dir.write("books_movies/test.txt", "1\t7\n");
    dir.write("movies_books/common_new_reindex.txt", "20\t1\t1\n21\t1\t1\n");
    dir.write("movies_books/train.txt", "1\t100\n2\t101\n");
    dir.write("movies_books/valid.txt", "0\t101\n");
    dir.write("movies_books/test.txt", "0\t100\n");
  }
  io::Dataset import(io::ImportReport* report = nullptr) const {
    return io::import_dataset(import_options("cdr-pairs", {books, movies}), report);
  }
};

}  // namespace graft::testing
