namespace AiStudio.Core.Builds;

/// <summary>
/// The eleven states of a build. The six phase states share their numbers with <see cref="Phase"/>.
/// </summary>
public enum BuildState
{
    Created = 0,
    Discovery = 1,
    Planning = 2,
    Implementation = 3,
    Testing = 4,
    Verification = 5,
    Deployment = 6,
    Complete = 7,
    OnHold = 8,
    Failed = 9,
    Cancelled = 10,
}

public static class BuildStateExtensions
{
    public static Phase? AsPhase(this BuildState state) =>
        state is >= BuildState.Discovery and <= BuildState.Deployment ? (Phase)(int)state : null;

    public static bool IsTerminal(this BuildState state) => state is BuildState.Complete or BuildState.Cancelled;

    public static string DisplayName(this BuildState state) => state switch
    {
        BuildState.OnHold => "On hold",
        _ => state.ToString(),
    };
}
