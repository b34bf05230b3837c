using static RnnGraph.Dsl.Tests.Spec.SpecTestSupport;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>The learning-rate schedule and early stopping keys of the training section.</summary>
public sealed class SpecReaderScheduleTests
{
    [Fact]
    public void Reads_the_schedule_and_early_stopping_keys()
    {
        var training = Read(MinimalModel + """
            training:
              schedule: step
              step_size: 10
              gamma: 0.5
              min_learning_rate: 1e-4
              warmup: 100
              early_stopping: 3
            """).Document.Training!;

        Assert.Equal("step", training.Schedule!.Value.Value);
        Assert.Equal((7, 13), (training.Schedule.Value.Location.Line, training.Schedule.Value.Location.Column));
        Assert.Equal(10, training.StepSize!.Value.Value);
        Assert.Equal(0.5, training.Gamma!.Value.Value);
        Assert.Equal(1e-4, training.MinLearningRate!.Value.Value);
        Assert.Equal("1e-4", TextOf(training.MinLearningRate.Value.Location));
        Assert.Equal(100, training.Warmup!.Value.Value);
        Assert.Equal(3, training.EarlyStopping!.Value.Value);
        Assert.Equal((12, 19), (training.EarlyStopping.Value.Location.Line, training.EarlyStopping.Value.Location.Column));
    }

    [Fact]
    public void Omitted_schedule_keys_stay_null()
    {
        var training = Read(MinimalModel + "training: { schedule: cosine, warmup: 0, min_learning_rate: 0 }\n").Document.Training!;

        Assert.Equal("cosine", training.Schedule!.Value.Value);
        Assert.Equal(0, training.Warmup!.Value.Value);
        Assert.Equal(0, training.MinLearningRate!.Value.Value);
        Assert.Null(training.StepSize);
        Assert.Null(training.Gamma);
        Assert.Null(training.EarlyStopping);
    }

    [Fact]
    public void Unknown_schedules_suggest_a_close_name_or_list_the_choices() =>
        AssertErrors(MinimalModel + """
            training: { schedule: cosin }
            generation: {}
            training_: {}
            """,
            "spec.yaml(6,23): error RG0022: unknown schedule 'cosin'; did you mean 'cosine'?",
            "spec.yaml(8,1): error RG0005: unknown key 'training_' in the spec; did you mean 'training'?");

    [Fact]
    public void An_unknown_schedule_far_from_any_lists_the_choices() =>
        AssertErrors(MinimalModel + "training: { schedule: onecycle }\n",
            "spec.yaml(6,23): error RG0022: unknown schedule 'onecycle'; expected constant, step or cosine");

    [Fact]
    public void Schedule_values_out_of_range_are_located_errors() =>
        AssertErrors(MinimalModel + """
            training: { step_size: 0, gamma: -0.5, min_learning_rate: -1, warmup: -2, early_stopping: 0 }
            """,
            "spec.yaml(6,24): error RG0007: step size must be a positive integer, got 0",
            "spec.yaml(6,34): error RG0023: gamma must be a positive number, got -0.5",
            "spec.yaml(6,59): error RG0004: expected a number at least 0 for 'min_learning_rate', got '-1'",
            "spec.yaml(6,71): error RG0024: warmup must be a non-negative integer, got -2",
            "spec.yaml(6,91): error RG0007: early stopping patience must be a positive integer, got 0");

    [Fact]
    public void Schedule_values_of_the_wrong_type() =>
        AssertErrors(MinimalModel + """
            training: { schedule: [step], gamma: half, early_stopping: yes }
            """,
            "spec.yaml(6,23): error RG0004: expected a name for 'schedule', got a sequence",
            "spec.yaml(6,38): error RG0004: expected a number for 'gamma', got 'half'",
            "spec.yaml(6,60): error RG0004: expected an integer for 'early_stopping', got 'yes'");
}
