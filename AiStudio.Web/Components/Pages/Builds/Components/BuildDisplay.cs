using AiStudio.Core.Builds;
using MudBlazor;

namespace AiStudio.Web.Components.Pages.Builds.Components;

/// <summary>How builds and attempts are worded and coloured wherever they appear, so the board and the build page agree.</summary>
public static class BuildDisplay
{
    /// <summary>What a build is doing now: the run status while it is in a phase, else the build's own state.</summary>
    public static string StatusText(BuildState state, PhaseRunStatus? runStatus) =>
        state.AsPhase() is not null && runStatus is { } status ? status.DisplayName() : state.DisplayName();

    public static Color StatusColor(BuildState state, PhaseRunStatus? runStatus) => state switch
    {
        BuildState.Complete => Color.Success,
        BuildState.Failed => Color.Error,
        BuildState.OnHold => Color.Warning,
        BuildState.Cancelled => Color.Default,
        _ => runStatus switch
        {
            PhaseRunStatus.AwaitingApproval => Color.Primary,
            PhaseRunStatus.Running => Color.Info,
            PhaseRunStatus.Failed => Color.Error,
            _ => Color.Default,
        },
    };

    public static Color RunColor(PhaseRunStatus status) => status switch
    {
        PhaseRunStatus.Approved => Color.Success,
        PhaseRunStatus.AwaitingApproval => Color.Primary,
        PhaseRunStatus.Running => Color.Info,
        PhaseRunStatus.Rejected => Color.Warning,
        PhaseRunStatus.Failed => Color.Error,
        _ => Color.Default,
    };

    /// <summary>A short relative age: "just now", "5 min ago", "2 h ago", "3 d ago".</summary>
    public static string Age(DateTimeOffset then, DateTimeOffset now)
    {
        var age = now - then;
        return age switch
        {
            _ when age < TimeSpan.FromMinutes(1) => "just now",
            _ when age < TimeSpan.FromHours(1) => $"{(int)age.TotalMinutes} min ago",
            _ when age < TimeSpan.FromDays(1) => $"{(int)age.TotalHours} h ago",
            _ => $"{(int)age.TotalDays} d ago",
        };
    }

    public static string Trigger(PipelineTrigger trigger) => trigger switch
    {
        PipelineTrigger.SendBack => "Send back",
        _ => trigger.ToString(),
    };
}
