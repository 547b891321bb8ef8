#!/usr/bin/env python3
"""Regenerates the evaluation candidate lists of the CDRIB reference (cjx96/CDRIB) for a
cdr-pairs dataset, in the line format of `graft data negatives` (graph_io/negatives_file.h).

The reference draws its own 999 negatives per valid/test line at start-up (utils/loader.py,
read_test_data; transfer/CDRIB_REFERENCE.md section 1.6), from Python's `random` seeded 2040,
after one shuffle of the training examples: uniform over the domain's training items, with
replacement, rejecting nothing except, for the source domain's test file only, the user's other
items in that same file. This script replays that order of draws (shuffle, S valid, S test,
T valid, T test) with CPython's Mersenne Twister, so its lists are the reference's own as long
as `random.shuffle` and `random.randint` draw as they have since Python 3.2.

Usage: cdrib_reference_candidates.py SOURCE_FOLDER TARGET_FOLDER OUT_DIR
  e.g. ../shared/data/amazon-cdr/game_video ../shared/data/amazon-cdr/video_game cands/
writes OUT_DIR/<domain>_{valid,test}.txt; then, per domain and part,
  graft data negatives data.h5 --split cold_start --domain game --valid cands/game_valid.txt \
    --test cands/game_test.txt
"""
import os
import random
import sys

SEED = 2040
NEGATIVES = 999


def read_pairs(path):
    with open(path, encoding="utf-8") as f:
        return [tuple(int(x) for x in line.strip().split("\t")[:2]) for line in f if line.strip()]


def domain_of(folder):
    return os.path.basename(os.path.normpath(folder)).split("_")[0]


def shared_user_count(folder):
    with open(os.path.join(folder, "common_new_reindex.txt"), encoding="utf-8") as f:
        return len({line.split("\t")[0] for line in f if line.strip()})


def draw_lists(rng, cases, train_items, exclude_same_file):
    """One list per case, drawn exactly as the reference's read_test_data draws."""
    item_list = sorted(train_items)
    in_file = {}
    for user, item in cases:
        in_file.setdefault(user, set()).add(item)
    lists = []
    for user, item in cases:
        if item not in train_items:
            sys.exit(f"item {item} of user {user} has no training interaction: the reference skips such lines "
                     "and graft keeps them, so the lists would not line up")
        negatives = []
        while len(negatives) < NEGATIVES:
            draw = item_list[rng.randint(0, len(train_items) - 1)]
            if exclude_same_file and draw in in_file[user]:
                continue
            negatives.append(draw)
        lists.append((user, item, negatives))
    return lists


def write_lists(path, lists, domain, shared):
    def user_id(u):
        return str(u) if u < shared else f"{domain}:{u}"

    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for user, item, negatives in lists:
            f.write(" ".join([user_id(user)] + [f"{domain}:{i}" for i in [item] + negatives]) + "\n")
    os.replace(tmp, path)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    source, target, out_dir = sys.argv[1:]
    shared = shared_user_count(source)
    train = {folder: read_pairs(os.path.join(folder, "train.txt")) for folder in (source, target)}
    rng = random.Random(SEED)
    rng.shuffle(list(range(len(train[source]) + len(train[target]))))  # the training loader's one shuffle
    os.makedirs(out_dir, exist_ok=True)
    # The reference's loaders in construction order: S valid, S test, T valid, T test.
    for folder, part in ((source, "valid"), (source, "test"), (target, "valid"), (target, "test")):
        cases = read_pairs(os.path.join(folder, part + ".txt"))
        items = {item for _, item in train[folder]}
        lists = draw_lists(rng, cases, items, exclude_same_file=(folder == source and part == "test"))
        path = os.path.join(out_dir, f"{domain_of(folder)}_{part}.txt")
        write_lists(path, lists, domain_of(folder), shared)
        print(f"wrote {path}: {len(lists)} cases")


if __name__ == "__main__":
    main()
