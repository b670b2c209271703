// Package synth generates a deterministic synthetic population of Vietnam on
// demand: every person, vaccination record, insurance card, declaration and
// checkpoint passage is computed from (seed, index) when asked for and never
// stored, so 1 million or 100 million citizens take the same memory. The
// ministry stand-ins serve their data from it; the hub never imports it.
//
// Layout, in short: citizens live in buckets (birth province, birth year,
// sex) whose sizes come from the province populations and an age pyramid;
// the global index i walks the buckets in order, and the position k inside a
// bucket fixes the person's ID serial (through a keyed permutation), whether
// they hold an old CMND (a low range of k), and their residence commune (k
// falls into the commune's slice of a per-province distribution). Everything
// else about a person is a hash of (seed, i). Trips are numbered newest
// first and map to travellers through a permutation of [0, Size).
package synth
