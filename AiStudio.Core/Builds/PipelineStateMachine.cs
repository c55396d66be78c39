using System.Text;

namespace AiStudio.Core.Builds;

public sealed record PipelineTransition(BuildState From, PipelineTrigger Trigger, BuildState To);

/// <summary>
/// Every move a build may make, as one table of data. Nothing else in the code decides whether a move
/// is allowed; the diagram in the app and in docs/ is generated from the same table.
/// </summary>
/// <remarks>
/// The seed counted 28 transitions because it wrote hold, resume, fail, retry and cancel once each as
/// "from any phase". Here every (from, trigger, to) pair is its own row so that each one can be tested,
/// and a send-back may target any earlier phase, not only the one before: 55 rows in all.
/// </remarks>
public static class PipelineStateMachine
{
    public static IReadOnlyList<PipelineTransition> Transitions { get; } = BuildTable();

    private static readonly HashSet<PipelineTransition> Allowed = [.. Transitions];

    public static bool IsAllowed(BuildState from, PipelineTrigger trigger, BuildState to) =>
        Allowed.Contains(new PipelineTransition(from, trigger, to));

    public static IEnumerable<PipelineTransition> From(BuildState state) =>
        Transitions.Where(t => t.From == state);

    private static List<PipelineTransition> BuildTable()
    {
        var table = new List<PipelineTransition> { new(BuildState.Created, PipelineTrigger.Start, BuildState.Discovery) };

        foreach (var phase in PhaseExtensions.All)
        {
            var state = phase.ToState();
            table.Add(new(state, PipelineTrigger.Approve, phase.Next()?.ToState() ?? BuildState.Complete));
            foreach (var earlier in PhaseExtensions.All.Where(p => p < phase))
            {
                table.Add(new(state, PipelineTrigger.SendBack, earlier.ToState()));
            }
        }

        foreach (var phase in PhaseExtensions.All)
        {
            var state = phase.ToState();
            table.Add(new(state, PipelineTrigger.Hold, BuildState.OnHold));
            table.Add(new(BuildState.OnHold, PipelineTrigger.Resume, state));
            table.Add(new(state, PipelineTrigger.Fail, BuildState.Failed));
            table.Add(new(BuildState.Failed, PipelineTrigger.Retry, state));
        }

        BuildState[] cancellable = [BuildState.Created, .. PhaseExtensions.All.Select(p => p.ToState()), BuildState.OnHold, BuildState.Failed];
        table.AddRange(cancellable.Select(s => new PipelineTransition(s, PipelineTrigger.Cancel, BuildState.Cancelled)));
        return table;
    }

    /// <summary>The table as a Mermaid state diagram; parallel edges are merged into one labelled edge.</summary>
    public static string ToMermaid()
    {
        var text = new StringBuilder("stateDiagram-v2\n");
        text.Append("    [*] --> Created\n");
        foreach (var edge in Transitions.GroupBy(t => (t.From, t.To)))
        {
            var label = string.Join(", ", edge.Select(t => t.Trigger).Distinct());
            text.Append($"    {edge.Key.From} --> {edge.Key.To}: {label}\n");
        }
        text.Append("    Complete --> [*]\n");
        text.Append("    Cancelled --> [*]\n");
        return text.ToString();
    }
}
