using System.Globalization;
using System.Text;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Training;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// Forecasting a numeric series (<c>format: csv</c>, one row per time step): each example is a window of
/// <c>window</c> rows of the selected columns, and the model predicts the row after it (many-to-one; one-to-one reads
/// a window of one row) or, at every step, the next row (many-to-many), trained with mean squared error. Columns are standardized with the training
/// part's mean and standard deviation (normalization.json); the last <c>validation</c> fraction of the rows is held
/// out, in time order. The report gives the held-out RMSE per column in the data's units beside the RMSE of
/// repeating the last value, the baseline any forecaster must beat.
/// </summary>
internal sealed class SeriesTask : RunTask
{
    private readonly IReadOnlyList<string> _columns;
    private readonly double[] _mean;
    private readonly double[] _std;
    private readonly float[] _train;       // standardized rows, [rows, C]
    private readonly float[] _validation;
    private readonly RunSettings _settings;
    private readonly bool _perStep;

    private SeriesTask(Compilation compilation, RunSettings settings, IReadOnlyList<string> columns, double[] mean, double[] std, float[] train, float[] validation)
        : base(compilation)
    {
        _settings = settings;
        _columns = columns;
        _mean = mean;
        _std = std;
        _train = train;
        _validation = validation;
        _perStep = !Model.OneOutputPerExample;
    }

    public static SeriesTask Create(Compilation probe, RunSettings settings, string dataDirectory)
    {
        string path = RunData.FilePath(settings, dataDirectory)
            ?? throw new RunException("'format: csv' reads a file: give data.file instead of data.text");
        var table = NumericCsvReader.Read(path, new NumericCsvOptions { Columns = settings.Columns?.Select(c => (CsvColumn)c).ToList() });
        // A one-to-one model reads one row and predicts the next: a window of one step.
        if (probe.Model!.OneToOne) settings = settings with { Window = 1 };
        int c = table.Columns.Count, rows = table.RowCount, window = settings.Window;
        int validationRows = (int)Math.Round(rows * settings.Validation);
        int trainRows = rows - validationRows;
        if (trainRows < window + 1)
            throw new RunException($"{path}: {trainRows} training rows are too few for windows of {window} rows and the row after; lower data.window or data.validation");

        var compilation = probe; // no size comes from the data: the spec is bound as written
        var model = compilation.Model!;
        if (model.Input.IsTokens || model.Input.Size != c)
            throw new RunException($"the data has {c} columns ({string.Join(", ", table.Columns)}) read at every step; declare the input as '{model.Input.Name}: {{ size: {c} }}'");
        if (model.Layers[^1].OutputSize != c)
            throw new RunException($"the last layer gives {model.Layers[^1].OutputSize} values but the model predicts the next row of {c} columns; use 'units: {c}'");

        // Standardize with the statistics of the training rows only.
        var mean = new double[c];
        var std = new double[c];
        for (int j = 0; j < c; j++)
        {
            double sum = 0, squares = 0;
            for (int r = 0; r < trainRows; r++) sum += table.Values[r * c + j];
            mean[j] = sum / trainRows;
            for (int r = 0; r < trainRows; r++) squares += Math.Pow(table.Values[r * c + j] - mean[j], 2);
            std[j] = Math.Sqrt(squares / trainRows);
            if (!(std[j] > 0)) std[j] = 1; // a constant column stays centered
        }
        var all = new float[rows * c];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < c; j++) all[r * c + j] = (float)((table.Values[r * c + j] - mean[j]) / std[j]);
        return new SeriesTask(compilation, settings, table.Columns, mean, std, all[..(trainRows * c)], all[(trainRows * c)..]);
    }

    public override LossKind Loss => LossKind.MeanSquaredError;

    public override bool LossIsPerToken => false;

    /// <summary>Each window's loss counts once.</summary>
    public override int Weight(TrainingBatch batch) => batch.Batch;

    private int C => _columns.Count;

    private int Windows(float[] rows) => Math.Max(0, rows.Length / C - _settings.Window);

    public override string DataMessage =>
        $"data: a series of {(_train.Length + _validation.Length) / C} rows × {C} columns ({string.Join(", ", _columns)}); " +
        $"{Windows(_train)} training and {Windows(_validation)} validation windows of {_settings.Window} rows";

    public override int BatchesPerEpoch => (Windows(_train) + _settings.BatchSize - 1) / _settings.BatchSize;

    public override bool HasValidation => Windows(_validation) > 0;

    public override IEnumerable<TrainingBatch> TrainBatches(int epoch, Trainer trainer)
    {
        var starts = Enumerable.Range(0, Windows(_train)).ToArray();
        new Random(unchecked(_settings.Seed * 1_000_003 + epoch)).Shuffle(starts);
        return starts.Chunk(_settings.BatchSize).Select(chunk => Batch(_train, chunk));
    }

    public override ValidationResult Validate(Trainer trainer) => HasValidation
        ? new ValidationResult(MeanLoss(Enumerable.Range(0, Windows(_validation)).Chunk(_settings.BatchSize).Select(chunk => Batch(_validation, chunk)), trainer.Loss).Loss, null)
        : new ValidationResult(null, null);

    public override void WriteFolder(string runFolder)
    {
        var json = new StringBuilder("{\n  \"version\": 1,\n  \"columns\": [");
        json.AppendJoin(", ", _columns.Select(c => System.Text.Json.JsonSerializer.Serialize(c)));
        json.Append("],\n  \"mean\": [").AppendJoin(", ", _mean.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        json.Append("],\n  \"std\": [").AppendJoin(", ", _std.Select(v => v.ToString("R", CultureInfo.InvariantCulture))).Append("]\n}\n");
        AtomicFile.WriteAllText(Path.Combine(runFolder, "normalization.json"), json.ToString());
    }

    public override RunReport Finish(ParameterSet parameters, Trainer trainer, string runFolder)
    {
        if (!HasValidation) return new RunReport("held-out forecasts:", ["(no validation windows: raise data.validation)"]);
        // The held-out windows' forecasts of the row after each window, in the data's units.
        int windows = Windows(_validation), o = C, T = _settings.Window;
        var squared = new double[o];
        var persistence = new double[o];
        var csv = new StringBuilder("row," + string.Join(",", _columns.SelectMany(c => new[] { c, c + "_predicted" })) + "\n");
        int trainRows = _train.Length / o;
        foreach (var chunk in Enumerable.Range(0, windows).Chunk(_settings.BatchSize))
        {
            var batch = Batch(_validation, chunk);
            var y = new float[(_perStep ? T : 1) * batch.Batch * o];
            trainer.Loss(batch, y);
            for (int b = 0; b < chunk.Length; b++)
            {
                int next = chunk[b] + T; // the row forecast, in the validation part
                int at = (_perStep ? (T - 1) * batch.Batch + b : b) * o;
                csv.Append(trainRows + next + 1);
                for (int j = 0; j < o; j++)
                {
                    double actual = Units(_validation[next * o + j], j), predicted = Units(y[at + j], j), last = Units(_validation[(next - 1) * o + j], j);
                    squared[j] += (predicted - actual) * (predicted - actual);
                    persistence[j] += (last - actual) * (last - actual);
                    csv.Append(string.Create(CultureInfo.InvariantCulture, $",{actual:R},{predicted:R}"));
                }
                csv.Append('\n');
            }
        }
        AtomicFile.WriteAllText(Path.Combine(runFolder, "predictions.csv"), csv.ToString());
        var lines = Enumerable.Range(0, o).Select(j => string.Create(CultureInfo.InvariantCulture,
            $"{_columns[j]}: RMSE {Math.Sqrt(squared[j] / windows):G4} (repeating the last value: {Math.Sqrt(persistence[j] / windows):G4})")).ToList();
        lines.Add($"over {windows} held-out windows, the row after each; predictions.csv has every forecast");
        return new RunReport("held-out forecasts:", lines);
    }

    private double Units(float standardized, int column) => standardized * _std[column] + _mean[column];

    /// <summary>Windows starting at <paramref name="starts"/>: inputs [T,B,C]; targets the next row [B,C] or every step's next row [T,B,C].</summary>
    private TrainingBatch Batch(float[] rows, int[] starts)
    {
        int T = _settings.Window, B = starts.Length, c = C;
        var inputs = new float[T * B * c];
        var targets = new float[(_perStep ? T : 1) * B * c];
        for (int b = 0; b < B; b++)
        {
            for (int t = 0; t < T; t++)
            {
                rows.AsSpan((starts[b] + t) * c, c).CopyTo(inputs.AsSpan((t * B + b) * c));
                if (_perStep) rows.AsSpan((starts[b] + t + 1) * c, c).CopyTo(targets.AsSpan((t * B + b) * c));
            }
            if (!_perStep) rows.AsSpan((starts[b] + T) * c, c).CopyTo(targets.AsSpan(b * c));
        }
        return new TrainingBatch(T, B, inputs, targets);
    }
}
