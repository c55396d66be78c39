using System.Text;
using AiStudio.Core.Builds;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AiStudio.Core.Roles;

/// <summary>
/// Turns a <see cref="RoleRequest"/> into the exact messages a role's model receives: its system prompt,
/// its own earlier turns, and one new user message with everything this attempt needs.
/// </summary>
public static class ChatHistoryFactory
{
    // The offline model reads these headings back, so they are shared rather than repeated.
    internal const string TitlePrefix = "# Build: ";
    internal const string RequirementsHeading = "## Requirements";
    internal const string ApprovedOutputsHeading = "## Approved outputs of earlier phases";
    internal const string TaskHeading = "## Your task";
    internal const string FeedbackHeading = "## Reviewer feedback on your previous attempt";
    internal const string PhasePrefix = "Phase: ";

    public static IReadOnlyList<ChatTurn> BuildTurns(RoleRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        var turns = new List<ChatTurn>(request.History.Count + 2)
        {
            new(MessageAuthor.System, request.Prompt.Text),
        };
        turns.AddRange(request.History.Where(t => t.Author != MessageAuthor.System));
        turns.Add(new ChatTurn(MessageAuthor.User, BuildUserMessage(request)));
        return turns;
    }

    public static ChatHistory ToChatHistory(IEnumerable<ChatTurn> turns)
    {
        var history = new ChatHistory();
        foreach (var turn in turns)
        {
            var role = turn.Author switch
            {
                MessageAuthor.System => AuthorRole.System,
                MessageAuthor.User => AuthorRole.User,
                MessageAuthor.Assistant => AuthorRole.Assistant,
                _ => throw new ArgumentOutOfRangeException(nameof(turns), turn.Author, "Unknown message author."),
            };
            history.AddMessage(role, turn.Content);
        }

        return history;
    }

    public static string BuildUserMessage(RoleRequest request)
    {
        var text = new StringBuilder();
        text.Append(TitlePrefix).Append(Clean(request.BuildTitle)).Append("\n\n");

        text.Append(RequirementsHeading).Append("\n\n");
        text.Append(Clean(request.Requirements)).Append("\n\n");

        text.Append(ApprovedOutputsHeading).Append("\n\n");
        var approved = request.ApprovedOutputs.Where(o => o.Phase < request.Phase).OrderBy(o => o.Phase).ToList();
        if (approved.Count == 0)
        {
            text.Append("None yet: this is the first phase of the build.\n\n");
        }

        foreach (var output in approved)
        {
            text.Append(ApprovedOutputHeading(output.Phase)).Append("\n\n");
            text.Append(Clean(output.Content)).Append("\n\n");
        }

        text.Append(TaskHeading).Append("\n\n");
        text.Append(PhasePrefix).Append(request.Phase).Append(" (attempt ").Append(request.Attempt).Append("). ");
        text.Append("Produce the ").Append(request.Phase.ArtifactName().ToLowerInvariant()).Append(".\n\n");
        text.Append(TaskInstruction(request.Phase));

        if (!string.IsNullOrWhiteSpace(request.Feedback))
        {
            text.Append("\n\n").Append(FeedbackHeading).Append("\n\n");
            text.Append("A reviewer rejected your previous attempt. Address every point below, and begin your answer ");
            text.Append("with a short \"Changes in this attempt\" section that says what you changed.\n\n");
            text.Append(Clean(request.Feedback));
        }

        return text.ToString();
    }

    internal static string ApprovedOutputHeading(Phase phase) => $"### {phase.ArtifactName()} ({phase})";

    public static string TaskInstruction(Phase phase) => phase switch
    {
        Phase.Discovery =>
            "Write the requirements document: one numbered requirement per need stated above, each as a user story "
            + "with testable acceptance criteria, followed by assumptions and open questions.",
        Phase.Planning =>
            "Write the implementation plan from the approved requirements document: the components to build, ordered "
            + "tasks that each name the requirements they serve, and the risks with how to reduce them.",
        Phase.Implementation =>
            "Write the source code that carries out the approved plan. Give every file as a fenced code block, with the "
            + "file's path on its own line just before the block.",
        Phase.Testing =>
            "Write the test cases: a table with ID, requirement, steps and expected result that covers every requirement, "
            + "then the automated tests as fenced code blocks. End with the line `Verdict: PASS` or "
            + "`Verdict: REWORK <phase>: <reasons>`.",
        Phase.Verification =>
            "Write the verification report: check each requirement against the source code and the test cases, list any "
            + "gaps, and end with exactly one line `Verdict: PASS` or `Verdict: REWORK <phase>: <reasons>`.",
        Phase.Deployment =>
            "Write the deployment configuration as one fenced yaml block (service, environments, settings, health check, "
            + "rollback), followed by short release notes.",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };

    // One line-ending convention keeps the messages, and so the stored history, byte-for-byte repeatable.
    private static string Clean(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n').Trim();
}
