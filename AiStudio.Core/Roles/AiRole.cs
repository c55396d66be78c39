namespace AiStudio.Core.Roles;

public enum AiRole
{
    QAssistant,
    CodeWriter,
    TestAuditor,
    VerificationOverseer,
    ReleaseManager,
}

public static class AiRoleExtensions
{
    public static string DisplayName(this AiRole role) => role switch
    {
        AiRole.QAssistant => "Q Assistant",
        AiRole.CodeWriter => "Code Writer",
        AiRole.TestAuditor => "Test Auditor",
        AiRole.VerificationOverseer => "Verification Overseer",
        AiRole.ReleaseManager => "Release Manager",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };
}
