#!/bin/sh
# Run searches one after another once the process PID (another search) ends, each niced on
# one job with its output under searches-out/ (not committed); rerunning resumes them.
#   searches/chain.sh PID NAME [NAME...]     (searches/NAME.json -> searches-out/NAME.jsonl)
pid=$1; shift
while kill -0 "$pid" 2>/dev/null; do sleep 20; done
for name in "$@"; do
  nice -n 19 ./target/release/grokscope sweep --grid-file "searches/$name.json" --jobs 1 \
    --out "searches-out/$name.jsonl" > /dev/null 2> "searches-out/$name.stderr"
done
