#!/bin/sh
# Trains one MBConv child network (examples/oneshot_mnist.hwnas's space with
# every slot an expansion-6 block, 5x5 but for the last, the same draw in both) with hwnas's Go training engine and
# with PyTorch (Debian's python3-torch, 1.13), one after the other, on the
# same data, batch, optimiser and epochs, with the same number of threads
# (hwnas hands the command evaluator its cores), and prints each one's
# training seconds (without data loading and evaluation) and accuracy.
#
#   examples/pytorch_trainer/side_by_side.sh            # from the repository root
#   HWNAS=/path/to/hwnas PYTHON=/usr/bin/python3 examples/pytorch_trainer/side_by_side.sh
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
hwnas=${HWNAS:-}
python=${PYTHON:-/usr/bin/python3}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [ -z "$hwnas" ]; then
	(cd "$repo" && go build -o "$dir/hwnas" ./cmd/hwnas)
	hwnas=$dir/hwnas
fi
cat > "$dir/side.hwnas" <<SPEC
space child {
  input 28x28x1
  conv { kernel = 3  filters = 16  stride = 2 }
  mbconv { expand = 6  kernel = 5  filters = 16 }
  mbconv { expand = 6  kernel = 5  filters = 16 }
  mbconv { expand = 6  kernel = 5  filters = 24  stride = 2 }
  mbconv { expand = 6  kernel = 5  filters = 24 }
  mbconv { expand = 6  kernel in {5, 7}  filters = 24 }  # one decision: a search needs one
  head gap, dense(10)
}
dataset mnist {
  source = builtin("mnist")
  train = 4000  val = 1000  test = 1000
  epochs = 2  batch = 32  optimizer = adam  lr = 0.003
}
evaluator torch command { run = "$python $repo/examples/pytorch_trainer/trainer.py" }
experiment go_engine { space = child  dataset = mnist  maximize accuracy  budget 1 trials }
experiment pytorch { space = child  dataset = mnist  evaluator = torch  maximize accuracy  budget 1 trials }
SPEC
for e in go_engine pytorch; do
	"$hwnas" run "$dir/side.hwnas" -e "$e" --store "$dir/store" --json > "$dir/$e.json"
	"$python" -c '
import json, sys
t = json.load(open(sys.argv[1]))["trials"][0]
m = t["metrics"]
print("%-9s train_s %7.2f  accuracy %.4f  (%s)" % (sys.argv[2], m["train_s"], m["accuracy"], t["network"]))
' "$dir/$e.json" "$e"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
