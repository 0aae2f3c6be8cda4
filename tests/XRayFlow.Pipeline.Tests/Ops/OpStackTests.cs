using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Catalog;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Planning;
using XRayFlow.Pipeline.Tests.Binding;

namespace XRayFlow.Pipeline.Tests.Ops;

/// <summary>
/// What every op does on a stack, driven by the registry: an op whose output is an array of its input's kind runs on
/// each frame as on that frame alone (dsl-v1: "On a stack, a 2-D filter applies frame by frame"), bit for bit, so
/// frame offsets, threads split across frames and per-frame state (histograms, prefilters, FFTs, label numbering
/// aside) cannot leak from one frame into the next. A new op is held to it without touching this file.
/// </summary>
public class OpStackTests
{
    /// <summary>Ops whose stack result is not the frames' results stacked, each with the reason (its summary says it).</summary>
    private static readonly Dictionary<string, string> AcrossFrames = new()
    {
        ["label"] = "numbers go on from frame to frame",
        ["normalize"] = "max(x) and min(x) of all frames together",
    };

    [Fact]
    public void OpsThatLookAcrossFramesSayWhatTheyDoOnAStack()
    {
        foreach (var (name, reason) in AcrossFrames)
        {
            var op = OpRegistry.Get(name);
            Assert.Contains("On a stack", op.Summary, StringComparison.Ordinal);

            // And they do look across frames: the stack's result is not the frames' results stacked.
            var stack = Core.Codecs.Npy.NpyReader.Read(Path.Combine(OpFixtures.Dir, "inputs", "stack3.npy"));
            var whole = Run(op, 1, stack, "stack");
            var last = stack.FrameImage(stack.Frames - 1);
            IntegerSource.Propagate(stack, last);
            var alone = Run(op, 1, last, "image");
            Assert.False(whole.Frame(stack.Frames - 1).SequenceEqual(alone.Data), $"{name}: {reason}, yet the last frame is as alone");
        }
    }

    public static TheoryData<string> FrameOps()
    {
        var data = new TheoryData<string>();
        foreach (var op in OpRegistry.All.Where(o => o.Output == OutputKind.SameAsInput && !o.Inputs.RequiresStack
                     && !o.Params.Any(p => p.Type == ParamType.Expression) && !AcrossFrames.ContainsKey(o.Name)))
        {
            data.Add(op.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FrameOps))]
    public void EachFrameOfAStackIsTheOpOnThatFrameAlone(string name)
    {
        // Three different 32 x 40 X-ray crops of whole numbers 19-156: a frame mixed up with another, or a value carried
        // over, shows. As loaded (a float32 .npy: scikit-image's float path, docs/integer-sources.md) and as a step's
        // result (no record: its values make it uint8), each frame carrying the stack's record.
        var loaded = Core.Codecs.Npy.NpyReader.Read(Path.Combine(OpFixtures.Dir, "inputs", "stack3.npy"));
        Assert.True(loaded.IsStack && loaded.Frames >= 2);
        AssertFrameByFrame(OpRegistry.Get(name), loaded);
        AssertFrameByFrame(OpRegistry.Get(name), loaded.Clone());
    }

    private static void AssertFrameByFrame(OpDefinition op, ImageArray stack)
    {
        string name = op.Name;
        int inputs = Math.Max(1, op.Inputs.Min);
        var frames = Enumerable.Range(0, stack.Frames).Select(f =>
        {
            var frame = stack.FrameImage(f);
            IntegerSource.Propagate(stack, frame);
            return frame;
        }).ToList();
        if (Refusal(op, inputs, frames[0], "image") is { } refused)
        {
            // The example does not fit a 32 x 40 frame (a crop box): the stack is refused alike.
            Assert.Equal(refused, Refusal(op, inputs, stack, "stack"));
            return;
        }

        var whole = Run(op, inputs, stack, "stack");
        Assert.True(whole.IsStack, $"{name}: a stack in, {whole.Frames} frame(s) out");
        Assert.Equal(stack.Frames, whole.Frames);
        for (int f = 0; f < frames.Count; f++)
        {
            var alone = Run(op, inputs, frames[f], "image");
            Assert.Equal((alone.Rows, alone.Cols), (whole.Rows, whole.Cols));
            var got = whole.Frame(f);
            for (int k = 0; k < got.Length; k++)
            {
                float a = got[k], b = alone.Data[k];
                Assert.True(BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b) || (float.IsNaN(a) && float.IsNaN(b)),
                    $"{name}: frame {f} pixel {k}: {a} on the stack, {b} on the frame alone");
            }
        }
    }

    private static string? Refusal(OpDefinition op, int inputs, ImageArray input, string kind)
    {
        try
        {
            Run(op, inputs, input, kind);
            return null;
        }
        catch (StepFailedException e) when (e.InnerException is OpRefusedException)
        {
            return e.InnerException.Message;
        }
    }

    private static ImageArray Run(OpDefinition op, int inputs, ImageArray input, string kind)
    {
        string text = OpContractTests.Recipe(op, inputs, RegistryTests.Required(op), kind);
        var loaded = RecipeLoader.LoadText(text, "stack.yaml");
        Assert.True(!loaded.HasErrors, text + string.Join("\n", loaded.Diagnostics));
        var plan = Planner.Create(loaded.Recipe!);
        var exec = new PlanExecutor(plan, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 2);
        var values = exec.Run(Enumerable.Range(0, inputs).ToDictionary(k => $"i{k}", _ => input));
        return Assert.IsType<ArrayValue>(values[plan.Resolve("s")]).Array;
    }
}
