using RnnGraph.Compiler.Training;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.Runs;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Runs;

/// <summary>Scoring a text agrees with the training loss on the same text, and a trained hello model expects 'o' after "hell".</summary>
public sealed class TextScorerTests
{
    [Fact]
    public void The_score_of_hello_is_the_training_loss_of_hello_and_o_follows_hell()
    {
        string folder = RunFolders.NewFolder();
        try
        {
            RunFolders.Train(folder, 60);
            var model = TrainedModel.Load(folder);

            var score = TextScorer.Score(model, "hello");
            // The same text as a training batch: <bos> h e l l o -> h e l l o <eos>, mean cross-entropy.
            var ids = new[] { SpecialTokens.BosId }.Concat(model.Vocabulary.Encode(model.Tokenizer.Tokenize("hello"))).Append(SpecialTokens.EosId).ToArray();
            var batch = new TrainingBatch(ids.Length - 1, 1, ids[..^1].Select(i => (float)i).ToArray(), ids[1..].Select(i => (float)i).ToArray());
            double loss = new Trainer(model.Compilation, model.Parameters, Optimizers.Create("sgd"), new TrainerOptions(LossKind.CrossEntropy)).Loss(batch);

            Assert.Equal(6, score.Tokens);
            Assert.Equal(-loss * 6, score.LogLikelihood, 4);
            Assert.True(score.Perplexity < 1.5, $"a model trained on hello should find it likely, perplexity {score.Perplexity}");
            var next = TextScorer.Score(model, "hell").Next;
            Assert.Equal("o", next[0].Token);
            Assert.True(next[0].Probability > 0.5);
            Assert.Equal(next.OrderByDescending(n => n.Probability).Select(n => n.Token), next.Select(n => n.Token));
        }
        finally
        {
            RunFolders.Delete(folder);
        }
    }
}
