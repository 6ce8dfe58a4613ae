#!/bin/bash -eu
# ClusterFuzzLite builds exactly what OSS-Fuzz builds: the same script, the same targets, seed
# corpora and options.
exec bash "$SRC/loopcheck/fuzz/oss-fuzz/build.sh"
