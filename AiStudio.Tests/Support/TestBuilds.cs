using AiStudio.Core.Builds;

namespace AiStudio.Tests.Support;

/// <summary>Brings a build aggregate into any state through its own domain methods, with no database.</summary>
internal static class TestBuilds
{
    public const string Reviewer = "reviewer@example.com";

    public static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 30, 0, TimeSpan.FromHours(1));

    public const decimal Cost = 0.0123m;

    public static Build New() =>
        Build.Create(Guid.NewGuid(), "Invoice export", "Finance needs every month's invoices as one CSV file.", "user-1", Now);

    /// <param name="phase">For OnHold and Failed: the phase the build was in when it was held or failed.</param>
    public static Build InState(BuildState state, Phase phase = Phase.Discovery)
    {
        var build = New();
        switch (state)
        {
            case BuildState.Created:
                break;
            case BuildState.Cancelled:
                build.Cancel("No longer needed.", Reviewer, Now);
                break;
            case BuildState.Complete:
                AdvanceTo(build, Phase.Deployment);
                ApproveCurrent(build);
                break;
            case BuildState.OnHold:
                AdvanceTo(build, phase);
                build.Hold(Reviewer, Now);
                break;
            case BuildState.Failed:
                AdvanceTo(build, phase);
                FailCurrent(build);
                break;
            default:
                AdvanceTo(build, state.AsPhase()!.Value);
                break;
        }

        return build;
    }

    public static void AdvanceTo(Build build, Phase phase)
    {
        build.Start(Now);
        while (build.State != phase.ToState())
        {
            ApproveCurrent(build);
        }
    }

    /// <summary>Does what the worker does: claims the current attempt and completes it, so that it awaits approval.</summary>
    public static PhaseRun CompleteCurrent(Build build)
    {
        var run = build.CurrentRun!;
        var token = run.Claim(Guid.NewGuid(), Now);
        run.Complete(token, Outcome(run.Phase), Cost, Now);
        build.Touch(Now);
        return run;
    }

    public static PhaseRun? ApproveCurrent(Build build) => build.Approve(CompleteCurrent(build).Id, Reviewer, Now);

    public static void FailCurrent(Build build)
    {
        var run = build.CurrentRun!;
        var token = run.Claim(Guid.NewGuid(), Now);
        build.Fail(run, token, "The model server did not answer in time.", Now);
    }

    public static RoleRunOutcome Outcome(Phase phase) =>
        new(Guid.NewGuid(), 1, "Offline", "aistudio-offline-1", $"# {phase.ArtifactName()}\n\nText of the {phase} phase.", 120, 340, TimeSpan.FromMilliseconds(850));
}
