using System.Xml.Linq;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.IO;
using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary>Two tiny encoder-decoder runs on a pairs file that copies short letter strings: one with attention, one without.</summary>
public sealed class CopyRuns : IDisposable
{
    private readonly TempFolder _temp = new();

    public CopyRuns()
    {
        // 60 strings of 1..5 letters from a..e, each paired with itself (the same seeded draw every run).
        var random = new Random(3);
        var lines = Enumerable.Range(0, 60).Select(_ =>
        {
            string word = new(Enumerable.Range(0, random.Next(1, 6)).Select(_ => (char)('a' + random.Next(5))).ToArray());
            return word + "\t" + word;
        });
        _temp.Write("copy.tsv", string.Join("\n", lines) + "\n");
        Attention = Train("attention", "attention: { type: additive, units: 8 }");
        NoAttention = Train("plain", "attention: none");
    }

    public string Folder => _temp.Path;

    public string Attention { get; }

    public string NoAttention { get; }

    internal CliResult AttentionRun { get; private set; } = null!;

    private string Train(string name, string attention)
    {
        string spec = _temp.Write(name + ".yaml", $$"""
            model:
              topology: encoder-decoder
              inputs:
                word: { vocab: auto }
              encoder:
                - embed: { dim: 8 }
                - rnn: { cell: gru, hidden: 12 }
              bridge: copy
              {{attention}}
              decoder:
                - embed: { dim: 8 }
                - rnn: { cell: gru, hidden: 12 }
                - dense: { units: auto }
              max_output_length: 8
            data:
              file: copy.tsv
              format: pairs
              tokenizer: char
              target_tokenizer: char
              validation: 0.2
            training:
              epochs: 3
              batch_size: 8
              seed: 1
            generation:
              beam_width: 2
            """);
        string folder = Path.Combine(_temp.Path, name);
        var result = Run("run", spec, "--out", folder);
        Assert.True(result.ExitCode == 0, result.Error);
        if (name == "attention") AttentionRun = result;
        return folder;
    }

    public void Dispose() => _temp.Dispose();
}

/// <summary><c>rnngraph run</c> on pairs and <c>rnngraph predict</c> on the run folders it writes, and their user errors.</summary>
public sealed class EncoderDecoderCommandTests(CopyRuns runs) : IClassFixture<CopyRuns>
{
    [Fact]
    public void Run_trains_on_pairs_and_writes_a_complete_run_folder()
    {
        Assert.Empty(runs.AttentionRun.Error);
        foreach (string file in new[] { "weights.safetensors", "vocab.json", "target-vocab.json", "decoding.json", "predictions.tsv", "spec.yaml" })
            Assert.True(File.Exists(Path.Combine(runs.Attention, file)), $"the run folder has no {file}");

        // Both sides are the letters a..e after the four special tokens (each vocabulary built from the training pairs).
        foreach (string vocabulary in new[] { "vocab.json", "target-vocab.json" })
        {
            var tokens = Vocabulary.Load(Path.Combine(runs.Attention, vocabulary)).Tokens;
            Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>"], tokens.Take(4));
            Assert.Equal(["a", "b", "c", "d", "e"], tokens.Skip(4).Order(StringComparer.Ordinal));
        }
        var weights = SafeTensors.Read(Path.Combine(runs.Attention, "weights.safetensors"));
        // The output layer reads the decoder state and the attention context (12 + 12) and scores the 9 target tokens.
        Assert.Equal([9, 24], weights["decoder.dense.weight"].Shape);

        // 12 held-out pairs (a fifth of 60), decoded greedily and with the beam of generation.beam_width.
        var predictions = File.ReadAllLines(Path.Combine(runs.Attention, "predictions.tsv"));
        Assert.Equal("set\tsource\treference\tprediction", predictions[0]);
        Assert.Equal(13, predictions.Length);
        Assert.All(predictions.Skip(1), line =>
        {
            var fields = line.Split('\t');
            Assert.Equal(4, fields.Length);
            Assert.Equal("validation", fields[0]);
            Assert.Equal(fields[1], fields[2]);
        });
        string decoding = File.ReadAllText(Path.Combine(runs.Attention, "decoding.json"));
        using var json = System.Text.Json.JsonDocument.Parse(decoding);
        Assert.Equal(["validation greedy", "validation beam 2"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.All(json.RootElement.EnumerateObject(), p => Assert.Equal(12, p.Value.GetProperty("pairs").GetInt32()));
        Assert.Contains("validation greedy: sequence accuracy ", runs.AttentionRun.Out);
        Assert.Contains("validation beam 2: sequence accuracy ", runs.AttentionRun.Out);
    }

    [Fact]
    public void The_report_shows_the_first_held_out_pairs_and_their_attention()
    {
        string html = File.ReadAllText(Path.Combine(runs.Attention, "report.html"));
        string plain = File.ReadAllText(Path.Combine(runs.NoAttention, "report.html"));

        // The table: the first ten of the 12 validation pairs, by the beam of generation.beam_width, as predictions.tsv has them.
        var predictions = File.ReadAllLines(Path.Combine(runs.Attention, "predictions.tsv")).Skip(1).Take(10).Select(l => l.Split('\t')).ToList();
        Assert.Contains("<p>The first 10 validation pairs, decoded by beam 2:</p>", html, StringComparison.Ordinal);
        Assert.Contains("<th>source</th><th>reference</th><th>output</th><th>exact</th>", html, StringComparison.Ordinal);
        foreach (var p in predictions)
            Assert.Contains($"<tr><td class=\"text\">{p[1]}</td><td class=\"text\">{p[2]}</td><td class=\"text\">{p[3]}</td><td>{(p[2] == p[3] ? "yes" : "no")}</td></tr>",
                            html, StringComparison.Ordinal);
        // Three heat maps with attention; none without.
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(html, "data-plot=\"attention-\\d\"").Count);
        Assert.Contains("<th>exact</th>", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("data-plot=\"attention-", plain, StringComparison.Ordinal);
    }

    [Fact]
    public void A_resumed_run_ends_as_the_uninterrupted_one()
    {
        // Sampled teacher forcing (drawn per epoch from the seed), Adam, clipping and early stopping all carry over a resume.
        using var temp = new TempFolder();
        File.Copy(Path.Combine(runs.Folder, "copy.tsv"), Path.Combine(temp.Path, "copy.tsv"));
        string spec = temp.Write("resume.yaml", """
            model:
              topology: encoder-decoder
              inputs:
                word: { vocab: auto }
              encoder:
                - embed: { dim: 6 }
                - rnn: { cell: gru, hidden: 8, bidirectional: true }
              bridge: concat
              attention: dot
              decoder:
                - embed: { dim: 6 }
                - rnn: { cell: gru, hidden: 16 }
                - dense: { units: auto }
              max_output_length: 8
            data:
              file: copy.tsv
              format: pairs
              tokenizer: char
              target_tokenizer: char
              validation: 0.2
            training:
              epochs: 4
              batch_size: 8
              optimizer: adam
              learning_rate: 0.01
              clip_norm: 1.0
              teacher_forcing: 0.7
              early_stopping: 3
              seed: 2
            """);
        string whole = Path.Combine(temp.Path, "whole"), interrupted = Path.Combine(temp.Path, "interrupted");
        Assert.Equal(0, Run("run", spec, "--out", whole).ExitCode);
        Assert.Equal(0, Run("run", spec, "--out", interrupted, "--epochs", "2").ExitCode);

        var resumed = Run("run", interrupted, "--resume", "--epochs", "4");

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains($"resuming {interrupted} after epoch 2", resumed.Out, StringComparison.Ordinal);
        foreach (string file in new[] { "weights.safetensors", "checkpoint.safetensors", "best.safetensors", "predictions.tsv" })
            Assert.True(File.ReadAllBytes(Path.Combine(whole, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(interrupted, file))), $"{file} differs");
        // The losses of every epoch (the columns before tokens/s and seconds, which are timings).
        static IEnumerable<string> Losses(string folder) => File.ReadAllLines(Path.Combine(folder, "metrics.csv")).Select(l => string.Join(',', l.Split(',')[..5]));
        Assert.Equal(Losses(whole), Losses(interrupted));
        Assert.Equal(5, Losses(whole).Count());
    }

    [Fact]
    public void Predict_prints_the_greedy_output_and_its_log_probability()
    {
        var result = Run("predict", runs.Attention, "--input", "abc", "--beam", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^[a-e]*( \(no <eos> within max_output_length\))?$", lines[0]);
        Assert.Matches(@"^   greedy: \d tokens, log-probability -\d+\.\d{4}$", lines[1]);
    }

    [Fact]
    public void Predict_with_a_beam_prints_the_n_best_outputs_best_first()
    {
        var result = Run("predict", runs.Attention, "--input", "abc", "--beam", "3", "--n-best", "2");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("1. ", lines[0]);
        Assert.StartsWith("2. ", lines[2]);
        Assert.NotEqual(lines[0][3..], lines[2][3..]);
        double Score(string line)
        {
            var match = System.Text.RegularExpressions.Regex.Match(line, @"^   beam 3: \d tokens, log-probability -\d+\.\d{4}, score (-\d+\.\d{4})$");
            Assert.True(match.Success, line);
            return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        Assert.True(Score(lines[1]) >= Score(lines[3]), result.Out);
    }

    [Fact]
    public void Show_attention_writes_an_svg_heat_map()
    {
        string svg = Path.Combine(runs.Folder, "abc.svg");

        var result = Run("predict", runs.Attention, "--input", "abc", "--show-attention", svg);

        Assert.Equal(0, result.ExitCode);
        Assert.EndsWith($"wrote {svg}\n", result.Out);
        var document = XDocument.Load(svg);
        Assert.Equal("svg", document.Root!.Name.LocalName);
        // The input's letters label the columns.
        var texts = document.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();
        foreach (string letter in new[] { "a", "b", "c" }) Assert.Contains(letter, texts);
    }

    [Fact]
    public void More_outputs_than_the_beam_keeps_is_a_one_line_error()
    {
        var result = Run("predict", runs.Attention, "--input", "abc", "--n-best", "3", "--beam", "2");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: --n-best 3 needs a beam at least as wide; use --beam 3 or more", Assert.Single(result.ErrorLines));
        Assert.Empty(result.Out);
    }

    [Fact]
    public void Show_attention_without_attention_is_a_one_line_error()
    {
        string svg = Path.Combine(runs.Folder, "none.svg");

        var result = Run("predict", runs.NoAttention, "--input", "abc", "--show-attention", svg);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: --show-attention: this model has no attention (model.attention is none)", Assert.Single(result.ErrorLines));
        Assert.False(File.Exists(svg));
    }

    [Fact]
    public void Without_attention_predict_still_decodes()
    {
        var result = Run("predict", runs.NoAttention, "--input", "de");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^   beam 2: \d tokens, log-probability -\d+\.\d{4}, score -\d+\.\d{4}$", result.Out.Split('\n')[1]);
    }

    [Fact]
    public void An_empty_input_is_a_one_line_error()
    {
        var result = Run("predict", runs.Attention, "--input", "");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: the input has no tokens to encode; give a non-empty --input", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public void A_pairs_line_without_a_tab_is_named_by_file_and_line()
    {
        using var temp = new TempFolder();
        string data = temp.Write("pairs.tsv", "ab\tab\nc\tc\nde ed\nf\tf\n");
        string spec = temp.Write("s.yaml", File.ReadAllText(Path.Combine(runs.Folder, "plain.yaml")).Replace("copy.tsv", "pairs.tsv"));

        var result = Run("run", spec, "--out", Path.Combine(temp.Path, "run"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: {data}(3,1): expected 'source<TAB>target' but the line has no tab; separate the source from the target with one tab",
                     Assert.Single(result.ErrorLines));
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "run")));
    }

    [Fact]
    public void Sample_on_an_encoder_decoder_points_to_predict()
    {
        var result = Run("sample", runs.Attention);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: '{runs.Attention}' holds an encoder-decoder, which turns an input into an output rather than sampling; use 'rnngraph predict {runs.Attention} --input TEXT'",
                     Assert.Single(result.ErrorLines));
    }

    [Fact]
    public void Predict_on_a_file_of_pairs_writes_every_output_and_scores_them_like_single_predictions()
    {
        string input = Path.Combine(runs.Folder, "held-out.tsv");
        string[] words = ["abc", "ed", "caab", "e", "bbdca", "da"];
        File.WriteAllLines(input, words.Select(w => w + "\t" + w).Append("   ")); // a blank line is skipped
        string table = Path.Combine(runs.Folder, "held-out.predictions.tsv");

        var result = Run("predict", runs.Attention, "--input-file", input, "--beam", "2", "--out", table);

        Assert.True(result.ExitCode == 0, result.Error);
        var rows = File.ReadAllLines(table);
        Assert.Equal("source\treference\tprediction", rows[0]);
        Assert.Equal(words, rows.Skip(1).Select(r => r.Split('\t')[0]));
        // Each line decodes as it does alone: the batch of six is the same beam search six times.
        var predictions = rows.Skip(1).Select(r => r.Split('\t')[2]).ToList();
        for (int i = 0; i < words.Length; i++)
        {
            var single = Run("predict", runs.Attention, "--input", words[i], "--beam", "2");
            Assert.Equal(predictions[i], single.Out.Split('\n')[0].Replace(" (no <eos> within max_output_length)", "", StringComparison.Ordinal));
        }
        // The score recomputed here: exact matches, and character edits over reference characters (the target tokenizer is char).
        int exact = words.Where((w, i) => predictions[i] == w).Count();
        int edits = words.Select((w, i) => Levenshtein(predictions[i], w)).Sum();
        string accuracy = (100.0 * exact / words.Length).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        string errorRate = (100.0 * edits / words.Sum(w => w.Length)).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        Assert.StartsWith($"6 lines decoded (beam 2) in ", result.Out, StringComparison.Ordinal);
        Assert.Contains($": sequence accuracy {accuracy}%, token error rate {errorRate}%", result.Out, StringComparison.Ordinal);
        Assert.Contains($"wrote {table}", result.Out, StringComparison.Ordinal);
    }

    private static int Levenshtein(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    [Fact]
    public void Predict_on_a_file_of_sources_prints_the_table_and_the_summary_apart()
    {
        string input = Path.Combine(runs.Folder, "sources.txt");
        File.WriteAllLines(input, ["abc", "de"]);

        var result = Run("predict", runs.Attention, "--input-file", input, "--beam", "1");

        Assert.Equal(0, result.ExitCode);
        var rows = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("source\tprediction", rows[0]);
        Assert.Equal(["abc", "de"], rows.Skip(1).Select(r => r.Split('\t')[0]));
        Assert.All(rows.Skip(1), r => Assert.Matches("^[a-e]+\t[a-e]*$", r));
        Assert.StartsWith("2 lines decoded (greedy) in ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Predict_on_a_file_names_the_line_that_mixes_pairs_and_sources()
    {
        string input = Path.Combine(runs.Folder, "mixed.tsv");
        File.WriteAllLines(input, ["abc\tabc", "de"]);
        string table = Path.Combine(runs.Folder, "mixed.predictions.tsv");

        var result = Run("predict", runs.Attention, "--input-file", input, "--out", table);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: {input}(2,1): the first line is 'source<TAB>reference' but this one has no tab; give every line a reference, or none",
                     Assert.Single(result.ErrorLines));
        Assert.False(File.Exists(table));
    }

    [Fact]
    public void Predict_takes_one_of_input_and_input_file()
    {
        var both = Run("predict", runs.Attention, "--input", "abc", "--input-file", "x.txt");
        var neither = Run("predict", runs.Attention);

        Assert.Equal(2, both.ExitCode);
        Assert.Equal("error: give --input TEXT or --input-file FILE, not both", both.ErrorLines[0]);
        Assert.Equal(2, neither.ExitCode);
        Assert.Equal("error: 'predict' needs --input TEXT (or --input-file FILE)", neither.ErrorLines[0]);
    }

    [Fact]
    public void Gradflow_measures_the_encoder_over_the_source_and_the_decoder_over_its_outputs()
    {
        string csv = Path.Combine(runs.Folder, "flow.csv");

        var result = Run("gradflow", runs.Attention, "--csv", csv);

        Assert.True(result.ExitCode == 0, result.Error);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("last step", lines[0]);
        Assert.EndsWith("steps", lines[0]);
        // One row per recurrent layer, each with its own number of steps: the longest source, and the longest target with <eos>.
        var encoder = Assert.Single(lines, l => l.StartsWith("encoder.rnn l0 ", StringComparison.Ordinal));
        var decoder = Assert.Single(lines, l => l.StartsWith("decoder.rnn l0 ", StringComparison.Ordinal));
        int encoderSteps = int.Parse(encoder.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1], System.Globalization.CultureInfo.InvariantCulture);
        int decoderSteps = int.Parse(decoder.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(encoderSteps + 1, decoderSteps); // copying: every target is its source and <eos>
        Assert.Contains(lines, l => l.StartsWith("||dL/dh_t|| over each layer's steps", StringComparison.Ordinal));

        var rows = File.ReadAllLines(csv);
        Assert.Equal("step,encoder.rnn l0,decoder.rnn l0", rows[0]);
        Assert.Equal(decoderSteps + 1, rows.Length);
        Assert.StartsWith($"{decoderSteps - 1},,", rows[^1], StringComparison.Ordinal); // the encoder has no value at the decoder's last step
        // The run measured it after every epoch too.
        var measured = File.ReadAllLines(Path.Combine(runs.Attention, "gradflow.csv"));
        Assert.Contains(measured, l => l.StartsWith("3,decoder.rnn l0,0,", StringComparison.Ordinal));
        Assert.Contains(measured, l => l.StartsWith("3,encoder.rnn l0,0,", StringComparison.Ordinal));
    }

    [Fact]
    public void Gradflow_steps_on_an_encoder_decoder_is_a_one_line_error()
    {
        var result = Run("gradflow", runs.Attention, "--steps", "3");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is an encoder-decoder: cutting its batches to a number of steps would cut words or targets short", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public void Export_writes_the_encoder_and_a_decoder_step_over_the_given_source_length()
    {
        using var temp = new TempFolder();
        string onnx = Path.Combine(temp.Path, "copy.onnx");

        var refused = Run("export", runs.Attention, "--onnx", onnx);
        var result = Run("export", runs.Attention, "--onnx", onnx, "--steps", "6");

        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("error: an encoder-decoder exports unrolled over a fixed source length: give --steps S", Assert.Single(refused.ErrorLines), StringComparison.Ordinal);
        Assert.True(result.ExitCode == 0, result.Error);
        string encoder = Path.Combine(temp.Path, "copy.encoder.onnx"), decoder = Path.Combine(temp.Path, "copy.decoder.onnx");
        Assert.Contains($"wrote {encoder}: opset 14, inputs word[6,batch], lengths[batch]; outputs memory[6,batch,12], keys[6,batch,8], state.h[1,batch,12]", result.Out, StringComparison.Ordinal);
        Assert.Contains($"wrote {decoder}: opset 14, inputs ", result.Out, StringComparison.Ordinal);
        Assert.Contains("outputs y[batch,9], state.h.next[1,batch,12], attention[batch,6]", result.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(onnx));
        // Both read back through the checked reader, with only operators RnnGraph's evaluator runs.
        foreach (string file in new[] { encoder, decoder }) RnnGraph.Onnx.OnnxEvaluator.CheckSupported(RnnGraph.Onnx.OnnxModelReader.Read(file));
    }
}
