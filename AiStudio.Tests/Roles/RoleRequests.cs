using AiStudio.Core.Builds;
using AiStudio.Core.Roles;

namespace AiStudio.Tests.Roles;

/// <summary>Role requests for tests, with realistic defaults that a test overrides where it matters.</summary>
internal static class RoleRequests
{
    public const string Title = "Invoice export";

    public const string Requirements = """
        Finance needs a way to get invoices out of the system.
        - Customers can export their invoices as CSV files.
        - Accountants must approve refunds over 500 euros.
        """;

    public static RoleRequest For(
        Phase phase,
        string title = Title,
        string requirements = Requirements,
        IReadOnlyList<ApprovedOutput>? approved = null,
        IReadOnlyList<ChatTurn>? history = null,
        string? feedback = null,
        int attempt = 1,
        string? promptText = null)
    {
        var role = phase.Role();
        var prompt = RolePrompt.Create(role, 3, promptText ?? DefaultRolePrompts.For(role), "test", null, DateTimeOffset.UnixEpoch);
        return new RoleRequest(role, phase, attempt, title, requirements, prompt, approved ?? [], history ?? [], feedback);
    }

    /// <summary>Approved outputs for every phase before <paramref name="phase"/>.</summary>
    public static IReadOnlyList<ApprovedOutput> ApprovedBefore(Phase phase, Func<Phase, string> content) =>
        PhaseExtensions.All.Where(p => p < phase).Select(p => new ApprovedOutput(p, content(p))).ToList();
}
