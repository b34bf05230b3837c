using System.Diagnostics;
using System.Text;
using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.IO;
using RnnGraph.TestSupport;
using Xunit.Abstractions;

namespace RnnGraph.Runtime.Tests.Fuzz;

/// <summary>
/// A CI-sized fuzz run with a seeded mutator: every example spec (with its cell equations) and a weights file are
/// mutated thousands of times; each mutant must end in success or in located diagnostics (specs) or a
/// <see cref="SafeTensorsException"/> (weights) — never another exception — within a time bound. The seeds are fixed,
/// so a failure names the case that reproduces it.
/// </summary>
public sealed class SeededFuzzTests(ITestOutputHelper log)
{
    /// <summary>RNNGRAPH_FUZZ_SCALE multiplies the case counts (tests/fuzz/run-long.sh); the seeds of the CI-sized run come first.</summary>
    private static readonly int Scale = int.TryParse(Environment.GetEnvironmentVariable("RNNGRAPH_FUZZ_SCALE"), out int scale) && scale > 1 ? scale : 1;

    private static readonly int SpecMutantsPerExample = 250 * Scale;
    private static readonly int WeightMutants = 2000 * Scale;

    /// <summary>Far above what any case takes (milliseconds); only a hang or runaway work would reach it.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private const string YamlAlphabet = ":{}[],-&*!#|>\"' \n\t0123456789.eE+-abcxyzhlstm_@%`=()^/";

    public static TheoryData<string> Examples() => new(Directory.GetFiles(RepoPaths.Examples, "*.yaml").Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(Examples))]
    public void Mutated_specs_compile_or_give_located_diagnostics(string example)
    {
        string original = File.ReadAllText(Path.Combine(RepoPaths.Examples, example));
        int seed = example.Aggregate(17, (h, c) => unchecked(h * 31 + c));
        int compiled = 0, refused = 0;
        for (int i = 0; i < SpecMutantsPerExample; i++)
        {
            var random = new Random(seed + i);
            string text = Mutate(original, random);
            var watch = Stopwatch.StartNew();
            try
            {
                var compilation = Compilation.Create(new SourceText("fuzz.yaml", text), vocabularySize: 30);
                if (compilation.HasErrors)
                {
                    refused++;
                    foreach (var d in compilation.Diagnostics.Where(d => d.Severity == Dsl.Diagnostics.DiagnosticSeverity.Error))
                        Assert.True(d.Location is not null, $"{example} case {i}: unlocated error {d}\n--- mutant ---\n{text}");
                }
                else if (compilation.Model is not null)
                {
                    compiled++;
                    compilation.Stage("optimized", 2);
                }
            }
            catch (Exception e)
            {
                Assert.Fail($"{example} case {i} (seed {seed + i}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}\n--- mutant ---\n{text}");
            }
            Assert.True(watch.Elapsed < Bound, $"{example} case {i} took {watch.Elapsed.TotalSeconds:0.0} s");
        }
        log.WriteLine($"{example}: {SpecMutantsPerExample} mutants, {compiled} compiled (and optimized at T=2), {refused} refused with located errors");
        // The mutator is meant to produce both kinds; a run that only ever refuses tests little.
        Assert.True(refused > 0, $"{example}: no mutant was refused");
        Assert.True(compiled > 0, $"{example}: no mutant compiled");
    }

    [Fact]
    public void Mutated_weight_files_read_or_give_a_safetensors_error()
    {
        byte[] original = File.ReadAllBytes(Path.Combine(RepoPaths.Examples, "data", "char-lstm.weights.safetensors"));
        long headerLength = BitConverter.ToInt64(original, 0);
        int read = 0, refused = 0;
        for (int i = 0; i < WeightMutants; i++)
        {
            var random = new Random(4242 + i);
            byte[] bytes = MutateBytes(original, (int)headerLength, random);
            var watch = Stopwatch.StartNew();
            try
            {
                SafeTensors.ReadBytes(bytes, $"case{i}.safetensors");
                read++;
            }
            catch (SafeTensorsException e)
            {
                refused++;
                Assert.StartsWith($"case{i}.safetensors: ", e.Message);
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i} (seed {4242 + i}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            Assert.True(watch.Elapsed < Bound, $"case {i} took {watch.Elapsed.TotalSeconds:0.0} s");
        }
        log.WriteLine($"{WeightMutants} weight-file mutants: {read} read, {refused} refused");
        Assert.True(refused > WeightMutants / 2, $"only {refused} of {WeightMutants} mutants were refused");
        Assert.True(read > 0, "no mutant was readable: the mutator only breaks files");
    }

    /// <summary>One to three edits: delete, insert, replace, duplicate or swap lines, re-indent, truncate.</summary>
    private static string Mutate(string text, Random random)
    {
        var sb = new StringBuilder(text);
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits && sb.Length > 0; e++)
        {
            int at = random.Next(sb.Length);
            switch (random.Next(7))
            {
                case 0: sb.Remove(at, Math.Min(random.Next(1, 20), sb.Length - at)); break;
                case 1:
                    for (int k = random.Next(1, 6); k > 0; k--) sb.Insert(at, YamlAlphabet[random.Next(YamlAlphabet.Length)]);
                    break;
                case 2: sb[at] = YamlAlphabet[random.Next(YamlAlphabet.Length)]; break;
                case 3:
                case 4:
                    var lines = sb.ToString().Split('\n').ToList();
                    int a = random.Next(lines.Count), b = random.Next(lines.Count);
                    if (random.Next(2) == 0) lines.Insert(b, lines[a]);
                    else (lines[a], lines[b]) = (lines[b], lines[a]);
                    sb.Clear().Append(string.Join('\n', lines));
                    break;
                case 5:
                    int lineStart = sb.ToString().LastIndexOf('\n', Math.Max(0, at - 1)) + 1;
                    if (random.Next(2) == 0) sb.Insert(lineStart, "  ");
                    else if (lineStart < sb.Length && sb[lineStart] == ' ') sb.Remove(lineStart, 1);
                    break;
                default: sb.Length = at; break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Byte edits aimed mostly at the header: flips, random bytes, a new length prefix, truncation, insertion.</summary>
    private static byte[] MutateBytes(byte[] original, int headerLength, Random random)
    {
        var bytes = new List<byte>(original);
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int headerEnd = Math.Min(bytes.Count, 8 + headerLength);
            int at = random.Next(3) == 0 ? random.Next(bytes.Count) : random.Next(headerEnd);
            switch (random.Next(6))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2:
                    long prefix = random.Next(4) switch { 0 => long.MaxValue, 1 => -1, 2 => random.Next(0, 64), _ => headerLength + random.Next(-8, 9) };
                    var encoded = BitConverter.GetBytes(prefix);
                    for (int k = 0; k < 8 && k < bytes.Count; k++) bytes[k] = encoded[k];
                    break;
                case 3: bytes.RemoveRange(at, bytes.Count - at); break;
                case 4: bytes.Insert(at, (byte)"{}[]\",:0123456789"[random.Next(17)]); break;
                default:
                    // A digit of the header's JSON changed: offsets, shapes and lengths that disagree.
                    if (headerEnd <= 8) break;
                    int digit = bytes.FindIndex(8, headerEnd - 8, c => c is >= (byte)'0' and <= (byte)'9');
                    if (digit >= 0) bytes[random.Next(digit, headerEnd)] = (byte)('0' + random.Next(10));
                    break;
            }
        }
        return bytes.ToArray();
    }
}
