#!/bin/sh
# Run one search after the process PID (another search) ends, niced, on one job, its output
# under searches-out/ (not committed); rerunning resumes it.
#   searches/run-after.sh PID NAME     (searches/NAME.json -> searches-out/NAME.jsonl)
set -e
pid=$1 name=$2
while kill -0 "$pid" 2>/dev/null; do sleep 20; done
exec nice -n 19 ./target/release/grokscope sweep --grid-file "searches/$name.json" --jobs 1 \
  --out "searches-out/$name.jsonl" > /dev/null 2> "searches-out/$name.stderr"
