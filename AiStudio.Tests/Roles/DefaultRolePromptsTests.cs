using AiStudio.Core.Roles;

namespace AiStudio.Tests.Roles;

public sealed class DefaultRolePromptsTests
{
    public static TheoryData<AiRole> Roles => [.. Enum.GetValues<AiRole>()];

    [Theory]
    [MemberData(nameof(Roles))]
    public void For_EachRole_IsAUsefulPromptThatNamesTheRoleAndFeedbackHandling(AiRole role)
    {
        var prompt = DefaultRolePrompts.For(role);
        var lines = prompt.Split('\n').Count(l => l.Trim().Length > 0);

        Assert.InRange(lines, 10, 25);
        Assert.StartsWith($"You are the {role.DisplayName()} of AiStudio", prompt, StringComparison.Ordinal);
        Assert.Contains("Changes in this attempt", prompt, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AiRole.TestAuditor)]
    [InlineData(AiRole.VerificationOverseer)]
    public void For_ReviewingRoles_RequireAVerdictLine(AiRole role)
    {
        var prompt = DefaultRolePrompts.For(role);

        Assert.Contains("\nVerdict: PASS\n", prompt, StringComparison.Ordinal);
        Assert.Contains("\nVerdict: REWORK <phase>: <reasons>\n", prompt, StringComparison.Ordinal);
    }
}
