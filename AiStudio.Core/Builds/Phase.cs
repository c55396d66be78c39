using AiStudio.Core.Roles;

namespace AiStudio.Core.Builds;

/// <summary>The six working phases of the pipeline, in order.</summary>
public enum Phase
{
    Discovery = 1,
    Planning = 2,
    Implementation = 3,
    Testing = 4,
    Verification = 5,
    Deployment = 6,
}

public static class PhaseExtensions
{
    public static IReadOnlyList<Phase> All { get; } = Enum.GetValues<Phase>();

    public static AiRole Role(this Phase phase) => phase switch
    {
        Phase.Discovery or Phase.Planning => AiRole.QAssistant,
        Phase.Implementation => AiRole.CodeWriter,
        Phase.Testing => AiRole.TestAuditor,
        Phase.Verification => AiRole.VerificationOverseer,
        Phase.Deployment => AiRole.ReleaseManager,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };

    public static BuildState ToState(this Phase phase) => (BuildState)(int)phase;

    public static Phase? Next(this Phase phase) => phase == Phase.Deployment ? null : phase + 1;

    /// <summary>What the role hands on from this phase, as a person would name the document.</summary>
    public static string ArtifactName(this Phase phase) => phase switch
    {
        Phase.Discovery => "Requirements document",
        Phase.Planning => "Implementation plan",
        Phase.Implementation => "Source code",
        Phase.Testing => "Test cases",
        Phase.Verification => "Verification report",
        Phase.Deployment => "Deployment configuration",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };
}
