using AiStudio.Core.Builds;
using BuildCardView = AiStudio.Core.Builds.BuildCard;

namespace AiStudio.Web.Components.Pages.Builds.Components;

/// <summary>A column of the pipeline board: one per phase, then held, failed and finished builds.</summary>
public sealed record BoardColumn(string Name, Func<BuildCardView, bool> Holds)
{
    public static IReadOnlyList<BoardColumn> All { get; } =
    [
        // A build is Created only for the instant before it starts, so it belongs with Discovery.
        new(nameof(Phase.Discovery), b => b.State is BuildState.Created or BuildState.Discovery),
        .. PhaseExtensions.All.Skip(1).Select(p => new BoardColumn(p.ToString(), b => b.State == p.ToState())),
        new("On hold", b => b.State == BuildState.OnHold),
        new("Failed", b => b.State == BuildState.Failed),
        new("Done", b => b.State.IsTerminal()),
    ];
}
