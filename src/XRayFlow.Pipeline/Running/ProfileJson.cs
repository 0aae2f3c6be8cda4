using System.Text;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Outputs;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Running;

/// <summary>The `--profile` file: `{"steps": [{"id", "op", "ms": [...]}]}`, one entry per step, ms of every repeat of every item.</summary>
internal static class ProfileJson
{
    /// <summary>Steps in the recipe's file order; ms item by item (in item order), repeat by repeat.</summary>
    public static string Write(Plan plan, IEnumerable<ProfileRecorder?> perItem)
    {
        var order = new List<string>();
        var byId = new Dictionary<string, (StepTiming First, List<double> Ms)>(StringComparer.Ordinal);
        foreach (var recorder in perItem)
        {
            if (recorder is null)
            {
                continue;
            }

            foreach (var id in recorder.Order)
            {
                var (t, ms) = recorder[id];
                if (!byId.TryGetValue(id, out var entry))
                {
                    byId[id] = entry = (t, []);
                    order.Add(id);
                }

                entry.Ms.AddRange(ms);
            }
        }

        var fileOrder = plan.Recipe.Steps.Select((s, i) => (s.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        order.Sort((a, b) => fileOrder.GetValueOrDefault(a, int.MaxValue).CompareTo(fileOrder.GetValueOrDefault(b, int.MaxValue)));
        var sb = new StringBuilder();
        sb.Append("{\"steps\": [");
        for (int i = 0; i < order.Count; i++)
        {
            var (t, ms) = byId[order[i]];
            sb.Append(i == 0 ? "\n  " : ",\n  ");
            sb.Append("{\"id\": ").Append(JsonText.Quote(t.Id)).Append(", \"op\": ").Append(JsonText.Quote(t.Op)).Append(", \"ms\": [")
                .Append(string.Join(", ", ms.Select(m => JsonText.Number(Math.Round(m, 4))))).Append(']');
            if (t.Chain > 0)
            {
                sb.Append(", \"chain\": ").Append(t.Chain);
            }

            if (t.SameAs is { } same)
            {
                sb.Append(", \"same_as\": ").Append(JsonText.Quote(same));
            }

            sb.Append('}');
        }

        sb.Append(order.Count > 0 ? "\n]}\n" : "]}\n");
        return sb.ToString();
    }
}
