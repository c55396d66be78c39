using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Roles;

namespace AiStudio.Core.Artifacts;

/// <summary>Everything a build export is written from, loaded once with access already checked.</summary>
internal sealed record BuildSnapshot(Build Build, string ProjectName, string StartedBy, IReadOnlyList<AuditEvent> AuditEvents, DateTimeOffset ExportedAt);

/// <summary>
/// Writes a build export: README.md, one folder per approved phase with the handed-on files (and the model's
/// own output when a person edited it), decision-record.md and build.json. Entries always come in the same order.
/// </summary>
internal static class BuildExport
{
    public const string ReadmeName = "README.md";
    public const string DecisionRecordName = "decision-record.md";
    public const string SummaryName = "build.json";

    private static readonly string[] DecisionActions = [AuditActions.PhaseApproved, AuditActions.PhaseRejected, AuditActions.PhaseSentBack];

    // A file to read, never embedded in a page: keep apostrophes and accents as written.
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string FileName(string title) => $"aistudio-build-{ArtifactFiles.Slug(title)}.zip";

    public static IReadOnlyList<ArtifactFile> Entries(BuildSnapshot snapshot)
    {
        var phases = ApprovedPhases(snapshot.Build);
        var entries = new List<ArtifactFile> { ArtifactFile.Text(ReadmeName, ArtifactFiles.Markdown, Readme(snapshot, phases)) };
        foreach (var phase in phases)
        {
            entries.AddRange(phase.Files.Select(f => f with { Name = $"{phase.Folder}/{f.Name}" }));
        }

        entries.Add(ArtifactFile.Text(DecisionRecordName, ArtifactFiles.Markdown, DecisionRecord(snapshot)));
        entries.Add(ArtifactFile.Text(SummaryName, "application/json", Summary(snapshot, phases)));
        return entries;
    }

    public static byte[] Zip(BuildSnapshot snapshot) => ArtifactFiles.ZipOf(Entries(snapshot), snapshot.Build.UpdatedAt);

    private sealed record ApprovedPhase(PhaseRun Run, string Folder, IReadOnlyList<ArtifactFile> Files);

    private static List<ApprovedPhase> ApprovedPhases(Build build) => build.Runs
        .Where(r => r.Status == PhaseRunStatus.Approved)
        .GroupBy(r => r.Phase)
        .OrderBy(g => g.Key)
        .Select(g => g.MaxBy(r => (r.QueuedAt, r.Attempt))!)
        .Select(run =>
        {
            var files = ArtifactFiles.For(run.Phase, run.HandedOnOutput).ToList();
            if (run.EditedOutput is not null && !string.IsNullOrEmpty(run.Output))
            {
                // The person's version is what was handed on; the model's is kept beside it for the record.
                files.Add(ArtifactFile.Text(ArtifactFiles.ModelOutputName, ArtifactFiles.Markdown, run.Output));
            }

            return new ApprovedPhase(run, ArtifactFiles.FolderName(run.Phase), files);
        })
        .ToList();

    private static IEnumerable<PhaseRun> RunsInOrder(Build build) =>
        build.Runs.OrderBy(r => r.QueuedAt).ThenBy(r => r.Phase).ThenBy(r => r.Attempt);

    private static string Readme(BuildSnapshot snapshot, List<ApprovedPhase> phases)
    {
        var build = snapshot.Build;
        var md = new StringBuilder();
        md.Append("# ").Append(OneLine(build.Title)).Append("\n\n");
        md.Append("| | |\n|---|---|\n");
        Row(md, "Project", snapshot.ProjectName);
        Row(md, "State", build.State.DisplayName());
        if (build.StatusReason is { } reason)
        {
            Row(md, "Status", reason);
        }

        Row(md, "Started by", snapshot.StartedBy);
        Row(md, "Started (UTC)", Iso(build.CreatedAt));
        Row(md, "Last change (UTC)", Iso(build.UpdatedAt));
        Row(md, "Approval", $"{build.Policy}, rework cap {Number(build.ReworkCap)}, {Number(build.ReworkCycles)} rework cycles so far"
            + (build.CostBudget is { } budget ? $", budget {Money(budget)} USD" : ""));
        Row(md, "Exported (UTC)", Iso(snapshot.ExportedAt));
        md.Append('\n');

        md.Append("## Requirements\n\n").Append(build.Requirements.Trim()).Append("\n\n");

        md.Append("## Totals\n\n| | |\n|---|---|\n");
        Row(md, "Attempts", Number(build.Runs.Count));
        Row(md, "Input tokens", Number(build.Runs.Sum(r => r.InputTokens)));
        Row(md, "Output tokens", Number(build.Runs.Sum(r => r.OutputTokens)));
        Row(md, "Cost (USD)", Money(build.TotalCost));
        md.Append('\n');

        md.Append("## Contents\n\n");
        if (phases.Count == 0)
        {
            md.Append("No phase has been approved yet.\n\n");
        }

        foreach (var phase in phases)
        {
            var run = phase.Run;
            md.Append($"- `{phase.Folder}/`: {run.Phase.ArtifactName()}, attempt {Number(run.Attempt)}, approved by {OneLine(run.DecidedBy ?? "?")}")
                .Append(run.DecidedAt is { } at ? $" at {Iso(at)}" : "")
                .Append(run.EditedBy is { } editor ? $"; edited by {OneLine(editor)} (the model's version is in `{ArtifactFiles.ModelOutputName}`)" : "")
                .Append('\n');
            foreach (var file in phase.Files)
            {
                md.Append($"  - `{file.Name}`\n");
            }
        }

        md.Append($"- `{DecisionRecordName}`: every attempt of every phase, who decided and why, and the build's audit events\n");
        md.Append($"- `{SummaryName}`: the same, machine-readable\n");
        return md.ToString();
    }

    private static string DecisionRecord(BuildSnapshot snapshot)
    {
        var build = snapshot.Build;
        var md = new StringBuilder();
        md.Append("# Decision record: ").Append(OneLine(build.Title)).Append("\n\n");
        md.Append("Times are UTC. Attempts are listed in the order they were queued.\n\n");
        md.Append("## Attempts\n\n");
        var n = 0;
        foreach (var run in RunsInOrder(build))
        {
            md.Append($"### {Number(++n)}. {run.Phase}, attempt {Number(run.Attempt)}: {run.Status.DisplayName()}\n\n");
            Item(md, "Role", run.Role.DisplayName());
            Item(md, "Queued", Iso(run.QueuedAt));
            Item(md, "Started", run.StartedAt is { } started ? Iso(started) : null);
            Item(md, "Completed", run.CompletedAt is { } completed ? Iso(completed) : null);
            Item(md, "Model", run.ModelId is null ? null : $"{run.Provider}/{run.ModelId}" + (run.PromptVersion is { } v ? $" (prompt version {Number(v)})" : ""));
            Item(md, "Tokens", $"{Number(run.InputTokens)} in, {Number(run.OutputTokens)} out");
            Item(md, "Cost", $"{Money(run.Cost)} USD");
            Item(md, "Latency", run.LatencyMs is { } ms ? $"{Number(ms)} ms" : null);
            Item(md, "Feedback it addressed", run.Feedback);
            Item(md, "Decided by", run.DecidedBy);
            Item(md, "Decided at", run.DecidedAt is { } decided ? Iso(decided) : null);
            foreach (var decision in snapshot.AuditEvents.Where(e => IsDecisionOn(e, run)))
            {
                Item(md, "Decision", decision.Detail ?? decision.Action);
            }

            Item(md, "Edited by", run.EditedBy);
            Item(md, "Error", run.Error);
            md.Append('\n');
        }

        if (n == 0)
        {
            md.Append("No attempts yet.\n\n");
        }

        md.Append("## Audit events\n\n");
        md.Append("| Time (UTC) | Actor | Action | Detail |\n|---|---|---|---|\n");
        foreach (var e in snapshot.AuditEvents)
        {
            md.Append($"| {Iso(e.OccurredAt)} | {Cell(e.ActorName)} | {Cell(e.Action)} | {Cell(e.Detail ?? "")} |\n");
        }

        return md.ToString();
    }

    private static string Summary(BuildSnapshot snapshot, List<ApprovedPhase> phases)
    {
        var build = snapshot.Build;
        var summary = new
        {
            format = "aistudio-build-export/1",
            build.Id,
            build.Title,
            project = snapshot.ProjectName,
            state = build.State.ToString(),
            build.StatusReason,
            build.Requirements,
            startedBy = snapshot.StartedBy,
            createdAt = Iso(build.CreatedAt),
            updatedAt = Iso(build.UpdatedAt),
            exportedAt = Iso(snapshot.ExportedAt),
            governance = new { policy = build.Policy.ToString(), build.ReworkCap, build.CostBudget, build.ReworkCycles },
            totals = new
            {
                attempts = build.Runs.Count,
                inputTokens = build.Runs.Sum(r => r.InputTokens),
                outputTokens = build.Runs.Sum(r => r.OutputTokens),
                cost = build.TotalCost,
            },
            phases = phases.Select(p => new
            {
                phase = p.Run.Phase.ToString(),
                folder = p.Folder,
                runId = p.Run.Id,
                attempt = p.Run.Attempt,
                approvedBy = p.Run.DecidedBy,
                approvedAt = p.Run.DecidedAt is { } at ? Iso(at) : null,
                editedBy = p.Run.EditedBy,
                files = p.Files.Select(f => new { name = $"{p.Folder}/{f.Name}", contentType = f.ContentType, size = f.Content.Length }),
            }),
            runs = RunsInOrder(build).Select(r => new
            {
                r.Id,
                phase = r.Phase.ToString(),
                role = r.Role.ToString(),
                r.Attempt,
                status = r.Status.ToString(),
                r.Feedback,
                r.Provider,
                r.ModelId,
                r.PromptVersion,
                r.InputTokens,
                r.OutputTokens,
                r.Cost,
                r.LatencyMs,
                queuedAt = Iso(r.QueuedAt),
                startedAt = r.StartedAt is { } s ? Iso(s) : null,
                completedAt = r.CompletedAt is { } c ? Iso(c) : null,
                r.DecidedBy,
                decidedAt = r.DecidedAt is { } d ? Iso(d) : null,
                edited = r.EditedOutput is not null,
                r.EditedBy,
                r.Error,
            }),
            auditEvents = snapshot.AuditEvents.Select(e => new { at = Iso(e.OccurredAt), actor = e.ActorName, e.Action, e.EntityType, e.EntityId, e.Detail }),
        };
        return JsonSerializer.Serialize(summary, Json) + "\n";
    }

    private static bool IsDecisionOn(AuditEvent e, PhaseRun run) =>
        e.EntityType == "PhaseRun" && e.EntityId == run.Id.ToString() && DecisionActions.Contains(e.Action);

    internal static string Iso(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Money(decimal value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    private static void Row(StringBuilder md, string name, string value) => md.Append($"| {name} | {Cell(value)} |\n");

    private static void Item(StringBuilder md, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            md.Append($"- **{name}:** {OneLine(value)}\n");
        }
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim())).Trim();

    private static string Cell(string text) => OneLine(text).Replace("|", "\\|");
}
