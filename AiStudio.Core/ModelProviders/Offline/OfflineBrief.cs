using System.Text.RegularExpressions;
using AiStudio.Core.Builds;
using AiStudio.Core.Roles;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AiStudio.Core.ModelProviders.Offline;

/// <summary>What the offline model understood from a chat history: the role, the phase and the build's inputs.</summary>
internal sealed record OfflineBrief(
    Phase? Phase,
    int Attempt,
    string Title,
    string Requirements,
    IReadOnlyDictionary<Phase, string> Approved,
    string? Feedback,
    string LastUserMessage)
{
    public static OfflineBrief Read(ChatHistory history)
    {
        var system = history.FirstOrDefault(m => m.Role == AuthorRole.System)?.Content ?? "";
        var user = Normalize(history.LastOrDefault(m => m.Role == AuthorRole.User)?.Content ?? "");

        var title = FirstLineAfter(user, ChatHistoryFactory.TitlePrefix) ?? "";
        var taskAt = LastHeading(user, ChatHistoryFactory.TaskHeading);
        var feedbackAt = taskAt < 0 ? -1 : LastHeading(user, ChatHistoryFactory.FeedbackHeading, taskAt);
        var approvedAt = Heading(user, ChatHistoryFactory.ApprovedOutputsHeading);
        var requirementsAt = Heading(user, ChatHistoryFactory.RequirementsHeading);

        var requirements = requirementsAt < 0
            ? (taskAt < 0 ? user : "")
            : Section(user, requirementsAt, ChatHistoryFactory.RequirementsHeading, NextOf(user.Length, approvedAt, taskAt));

        var approved = new Dictionary<Phase, string>();
        if (approvedAt >= 0)
        {
            var body = Section(user, approvedAt, ChatHistoryFactory.ApprovedOutputsHeading, taskAt < 0 ? user.Length : taskAt);
            var starts = PhaseExtensions.All
                .Select(p => (Phase: p, At: Heading("\n" + body, ChatHistoryFactory.ApprovedOutputHeading(p))))
                .Where(s => s.At >= 0)
                .OrderBy(s => s.At)
                .ToList();
            for (var i = 0; i < starts.Count; i++)
            {
                var end = i + 1 < starts.Count ? starts[i + 1].At : body.Length + 1;
                approved[starts[i].Phase] = Section("\n" + body, starts[i].At, ChatHistoryFactory.ApprovedOutputHeading(starts[i].Phase), end);
            }
        }

        Phase? phase = null;
        var attempt = 1;
        if (taskAt >= 0)
        {
            var task = Section(user, taskAt, ChatHistoryFactory.TaskHeading, feedbackAt < 0 ? user.Length : feedbackAt);
            var match = Regex.Match(task, @"^" + Regex.Escape(ChatHistoryFactory.PhasePrefix) + @"(\w+)(?: \(attempt (\d+)\))?", RegexOptions.Multiline);
            if (match.Success && Enum.TryParse<Phase>(match.Groups[1].Value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
            {
                phase = parsed;
                attempt = match.Groups[2].Success ? int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 1;
            }
        }

        phase ??= RoleIn(system) switch
        {
            AiRole.QAssistant => Builds.Phase.Discovery,
            AiRole.CodeWriter => Builds.Phase.Implementation,
            AiRole.TestAuditor => Builds.Phase.Testing,
            AiRole.VerificationOverseer => Builds.Phase.Verification,
            AiRole.ReleaseManager => Builds.Phase.Deployment,
            _ => null,
        };

        string? feedback = null;
        if (feedbackAt >= 0)
        {
            var body = Section(user, feedbackAt, ChatHistoryFactory.FeedbackHeading, user.Length);
            // The factory puts one instruction paragraph before the reviewer's own words.
            var split = body.IndexOf("\n\n", StringComparison.Ordinal);
            feedback = (split >= 0 && body.StartsWith("A reviewer rejected", StringComparison.Ordinal) ? body[(split + 2)..] : body).Trim();
        }

        return new OfflineBrief(phase, attempt, title.Trim(), requirements, approved, string.IsNullOrEmpty(feedback) ? null : feedback, user);
    }

    /// <summary>The role a system prompt speaks to, by the earliest role name it mentions.</summary>
    internal static AiRole? RoleIn(string systemPrompt) => Enum.GetValues<AiRole>()
        .Select(r => (Role: r, At: systemPrompt.IndexOf(r.DisplayName(), StringComparison.OrdinalIgnoreCase)))
        .Where(x => x.At >= 0)
        .OrderBy(x => x.At)
        .Select(x => (AiRole?)x.Role)
        .FirstOrDefault();

    private static string Normalize(string text) => "\n" + text.Replace("\r\n", "\n").Replace('\r', '\n');

    private static int Heading(string text, string heading, int from = 0) =>
        text.IndexOf("\n" + heading + "\n", from, StringComparison.Ordinal) is var at and >= 0 ? at + 1 : -1;

    private static int LastHeading(string text, string heading, int notBefore = 0)
    {
        var at = text.LastIndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        return at >= 0 && at + 1 > notBefore ? at + 1 : -1;
    }

    private static int NextOf(int fallback, params int[] positions) =>
        positions.Where(p => p >= 0).DefaultIfEmpty(fallback).Min();

    private static string Section(string text, int headingAt, string heading, int end)
    {
        var start = Math.Min(headingAt + heading.Length, text.Length);
        return text[start..Math.Max(start, Math.Min(end, text.Length))].Trim();
    }

    private static string? FirstLineAfter(string text, string prefix)
    {
        var at = text.IndexOf("\n" + prefix, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var start = at + 1 + prefix.Length;
        var end = text.IndexOf('\n', start);
        return end < 0 ? text[start..] : text[start..end];
    }
}
