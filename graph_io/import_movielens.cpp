// movielens: the MovieLens 100k and 1M layouts. The input is the dataset folder or its ratings
// file; the catalog beside it, when present, gives every movie its genres as categories.
//   100k  u.data     "user\titem\trating\ttimestamp"
//         u.item     "id|title|release|video release|IMDb URL|<one 0/1 flag per genre>"
//         u.genre    "name|index" (the standard 19 genres when absent)
//   1M    ratings.dat "user::item::rating::timestamp"
//         movies.dat  "id::title::Genre1|Genre2"
// Ratings are kept as weights and timestamps as times; --min-rating drops lower ratings.
// With a catalog, a rating of a movie missing from it is an error.
#include <filesystem>
#include <sstream>

#include "graph_io/errors.h"
#include "graph_io/import_formats.h"

namespace graft::io {

namespace {

namespace fs = std::filesystem;

const char* const kStandardGenres[] = {"unknown", "Action", "Adventure", "Animation", "Children's",
                                       "Comedy", "Crime", "Documentary", "Drama", "Fantasy", "Film-Noir",
                                       "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller",
                                       "War", "Western"};
constexpr size_t kItemFieldsBeforeGenres = 5;  // u.item: id, title, release, video release, URL

struct Layout {
  bool one_million = false;  // 1M ("::") rather than 100k (tab, '|')
  std::string ratings;
  std::string catalog;  // "" when absent
  std::string genres;   // 100k u.genre; "" when absent
};

std::string existing(const fs::path& path) { return fs::is_regular_file(path) ? path.string() : std::string(); }

Layout find_layout(const std::string& input) {
  if (!fs::exists(input)) throw DataError(input + ": no such file or folder");
  fs::path folder = input;
  std::string name;
  if (fs::is_directory(input)) {
    name = fs::exists(folder / "u.data") ? "u.data" : fs::exists(folder / "ratings.dat") ? "ratings.dat" : "";
    if (name.empty()) throw DataError(input + ": neither u.data (100k) nor ratings.dat (1M) in this folder");
  } else {
    folder = fs::path(input).parent_path();
    name = fs::path(input).filename().string();
    if (name != "u.data" && name != "ratings.dat") {
      throw DataError(input + ": expected MovieLens u.data (100k) or ratings.dat (1M); import other "
                              "layouts with --format csv");
    }
  }
  Layout layout;
  layout.one_million = name == "ratings.dat";
  layout.ratings = (folder / name).string();
  layout.catalog = existing(folder / (layout.one_million ? "movies.dat" : "u.item"));
  if (!layout.one_million) layout.genres = existing(folder / "u.genre");
  return layout;
}

// u.genre: "name|index" lines with indices 0, 1, 2, ... in order.
void read_genre_names(const std::string& path, DomainBuilder& domain, Dataset& dataset, ImportReport& report) {
  TextReader in(path, Delimiter::character('|'), 2);
  while (in.next()) {
    const int64_t index = in.id(1, "genre index");
    if (index != domain.categories().size()) {
      in.fail("expected genre index " + std::to_string(domain.categories().size()) + ", got " + std::to_string(index));
    }
    if (domain.categories().find(in.field(0))) in.fail("genre " + quote_value(in.field(0)) + " listed twice");
    domain.categories().add(in.field(0));
  }
  record_file_read(in, dataset, report);
}

void read_item_genre_flags(const std::string& path, DomainBuilder& domain, Dataset& dataset, ImportReport& report) {
  const size_t genres = static_cast<size_t>(domain.categories().size());
  TextReader in(path, Delimiter::character('|'), kItemFieldsBeforeGenres + genres);
  while (in.next()) {
    const auto id = static_cast<uint64_t>(in.id(0, "movie id"));
    if (domain.items().find_number(id)) in.fail("movie " + std::to_string(id) + " listed twice");
    const int64_t item = domain.items().add_number(id);
    for (size_t g = 0; g < genres; ++g) {
      const std::string_view flag = in.field(kItemFieldsBeforeGenres + g);
      if (flag == "1") {
        domain.add_category(item, static_cast<int64_t>(g));
      } else if (flag != "0") {
        in.fail("genre flag " + std::to_string(g + 1) + " must be 0 or 1, got " + quote_value(flag));
      }
    }
  }
  record_file_read(in, dataset, report);
}

// movies.dat: "id::title::Genre1|Genre2".
void read_movie_genres(const std::string& path, DomainBuilder& domain, Dataset& dataset, ImportReport& report) {
  TextReader in(path, Delimiter::text("::"), 3);
  std::vector<std::string_view> genres;
  const Delimiter bar = Delimiter::character('|');
  while (in.next()) {
    const auto id = static_cast<uint64_t>(in.id(0, "movie id"));
    if (domain.items().find_number(id)) in.fail("movie " + std::to_string(id) + " listed twice");
    const int64_t item = domain.items().add_number(id);
    if (in.field(2).empty()) continue;
    bar.split(in.field(2), genres);
    for (std::string_view genre : genres) {
      if (genre.empty()) in.fail("empty genre name in " + quote_value(in.field(2)));
      domain.add_category(item, domain.categories().add(genre));
    }
  }
  record_file_read(in, dataset, report);
}

std::string below_rating_reason(double min_rating) {
  std::ostringstream out;
  out << "rated below " << min_rating;
  return out.str();
}

}  // namespace

Dataset import_movielens(const ImportOptions& options, ImportReport& report) {
  require_inputs(options, 1, 1, "one input, the MovieLens folder or its ratings file");
  const Layout layout = find_layout(options.inputs.front());
  Dataset dataset;
  std::vector<DomainBuilder> builders;
  builders.emplace_back(domain_name_option(options), InteractionColumns{true, false, true});
  DomainBuilder& domain = builders.back();

  if (!layout.catalog.empty()) {
    if (layout.one_million) {
      read_movie_genres(layout.catalog, domain, dataset, report);
    } else {
      if (layout.genres.empty()) {
        for (const char* genre : kStandardGenres) domain.categories().add(genre);
      } else {
        read_genre_names(layout.genres, domain, dataset, report);
      }
      read_item_genre_flags(layout.catalog, domain, dataset, report);
    }
  }

  const std::string dropped_reason = below_rating_reason(options.min_rating);
  IdMap users;
  TextReader in(layout.ratings, layout.one_million ? Delimiter::text("::") : Delimiter::character('\t'), 4);
  while (in.next()) {
    const int64_t user_id = in.id(0, "user id");
    const auto movie = static_cast<uint64_t>(in.id(1, "movie id"));
    const double rating = in.number(2, "rating");
    const int64_t time = in.integer(3, "timestamp");
    int64_t item = 0;
    if (layout.catalog.empty()) {
      item = domain.items().add_number(movie);
    } else if (const auto known = domain.items().find_number(movie)) {
      item = *known;
    } else {
      in.fail("movie " + std::to_string(movie) + " is not in " + fs::path(layout.catalog).filename().string());
    }
    if (rating < options.min_rating) {
      ++report.dropped[dropped_reason];
      continue;
    }
    domain.add(users.add_number(static_cast<uint64_t>(user_id)), item, Part::kTrain, time, Behavior::kView,
               static_cast<float>(rating));
  }
  record_file_read(in, dataset, report);

  dataset.user_ids = std::move(users).take_ids();
  finish_domains(dataset, builders, std::nullopt, report);
  return dataset;
}

}  // namespace graft::io
