#!/usr/bin/python3
"""Prints one configuration of bench/configs.json as `rnngraph bench` flags and its modes, both comma-joined:
`--cell,lstm,--input,128,... train,infer` (read by compare.sh and threads.sh with `read -r args modes`)."""
import json
import sys

config = next(c for c in json.load(open(sys.argv[1])) if c["id"] == int(sys.argv[2]))
flags = (f"--cell {config['cell']} --input {config['input']} --hidden {config['hidden']} --batch {config['batch']} "
         f"--steps {config['steps']} --layers {config['layers']}")
if config["bidirectional"]:
    flags += " --bidirectional"
print(flags.replace(" ", ","), ",".join(config["modes"]))
