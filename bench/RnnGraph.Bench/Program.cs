using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RnnGraph.Bench;

// rnngraph-bench recurrent --configs FILE --id N [--warmup W] [--warmup-seconds S] [--repeat K]: one JSON object for one configuration.
// rnngraph-bench gemm [--repeat K] [--min-seconds S]: a JSON array, GFLOP/s of MatMulKernel<float>.Multiply per shape.
// One configuration per process, so the peak working set is that configuration's own.
const string Usage = "usage: rnngraph-bench recurrent --configs FILE --id N [--warmup W] [--warmup-seconds S] [--repeat K] | gemm [--repeat K] [--min-seconds S]";
if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 1; i + 1 < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal))
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }
    options[args[i][2..]] = args[i + 1];
}
int Int(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
double Double(string name, double fallback) => options.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
var compact = new JsonSerializerOptions { WriteIndented = false };

switch (args[0])
{
    case "recurrent":
        {
            if (!options.TryGetValue("configs", out var path) || !options.ContainsKey("id"))
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }
            var configs = JsonSerializer.Deserialize<RecurrentConfig[]>(File.ReadAllText(path))
                ?? throw new InvalidDataException($"{path}: expected a JSON array of configurations");
            int id = Int("id", 0);
            var config = configs.FirstOrDefault(c => c.Id == id);
            if (config is null)
            {
                Console.Error.WriteLine($"{path}: no configuration with id {id}");
                return 2;
            }
            var result = RecurrentBenchmark.Run(config, Int("warmup", 2), Double("warmup-seconds", 1.0), Int("repeat", 5), Int("seed", 1));
            Console.WriteLine(result.ToJsonString(compact));
            return 0;
        }
    case "gemm":
        {
            var results = GemmBenchmark.Run(Int("repeat", 5), Double("min-seconds", 0.2));
            Console.WriteLine(new JsonObject { ["runtime"] = "rnngraph", ["gemm"] = results }.ToJsonString(compact));
            return 0;
        }
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}
