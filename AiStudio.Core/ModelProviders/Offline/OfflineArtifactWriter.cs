using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AiStudio.Core.Builds;

namespace AiStudio.Core.ModelProviders.Offline;

/// <summary>
/// Writes the offline model's answer: a plausible artifact for the phase, built only from the build's own title,
/// requirements, earlier outputs and feedback. Deterministic: the same brief always gives the same text.
/// </summary>
internal static class OfflineArtifactWriter
{
    private static readonly HashSet<string> CSharpKeywords =
    [
        "abstract", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while", "cancellationToken", "store", "clock",
    ];

    public const string Disclaimer = "_Written by the offline model from your requirements._";

    public static string Write(OfflineBrief brief)
    {
        var text = new Artifact();
        text.Line(Disclaimer).Line();

        if (brief.Phase is not { } phase)
        {
            WriteReply(text, brief);
            return text.ToString();
        }

        var context = new Context(brief);
        text.Line($"# {phase.ArtifactName()}: {context.Title}").Line();
        if (brief.Attempt > 1 || brief.Feedback is not null)
        {
            text.Line($"Attempt {brief.Attempt.ToString(CultureInfo.InvariantCulture)} of the {phase.ToString().ToLowerInvariant()} phase.").Line();
        }

        WriteChanges(text, brief, context, phase);

        switch (phase)
        {
            case Phase.Discovery: WriteRequirements(text, context); break;
            case Phase.Planning: WritePlan(text, context); break;
            case Phase.Implementation: WriteCode(text, context); break;
            case Phase.Testing: WriteTests(text, context); break;
            case Phase.Verification: WriteVerification(text, context); break;
            case Phase.Deployment: WriteDeployment(text, context); break;
        }

        return text.ToString().TrimEnd() + "\n";
    }

    private static void WriteChanges(Artifact text, OfflineBrief brief, Context context, Phase phase)
    {
        if (brief.Feedback is not { } feedback)
        {
            return;
        }

        text.Line("## Changes in this attempt").Line();
        text.Line("The reviewer wrote:").Line();
        foreach (var line in feedback.Split('\n'))
        {
            text.Line(("> " + line).TrimEnd());
        }

        text.Line();
        foreach (var point in context.Review)
        {
            text.Line($"- **{point.Id}** \"{point.Text}\": addressed in this version; see the items marked _(from review {point.Id})_.");
        }

        if (context.Review.Count == 0)
        {
            text.Line($"- Reworked the whole {phase.ArtifactName().ToLowerInvariant()} with the feedback above in mind.");
        }

        text.Line();
    }

    private static void WriteRequirements(Artifact text, Context context)
    {
        text.Line($"{context.Items.Count.ToString(CultureInfo.InvariantCulture)} requirements read from the team's text for **{context.Title}**. Key terms: {context.KeyTerms}.").Line();
        text.Line("## Requirements").Line();
        foreach (var item in context.All)
        {
            text.Line($"### {item.Id}. {Sentence(item.Text)}{ReviewMark(item)}").Line();
            text.Line($"**User story.** {UserStory(item, context)}").Line();
            text.Line("**Acceptance criteria**").Line();
            var n = 1;
            foreach (var criterion in Criteria(item, context))
            {
                text.Line($"{n++.ToString(CultureInfo.InvariantCulture)}. {criterion}");
            }

            text.Line();
        }

        text.Line("## Assumptions").Line();
        text.Line($"- \"{context.Title}\" is used by signed-in people; the {context.Items[0].Actor} is the main user.");
        text.Line("- Where the text gives no limit, ordinary volumes apply (hundreds of records, a few dozen users at once).");
        text.Line("- Every change is recorded with who made it and when.").Line();

        text.Line("## Open questions").Line();
        foreach (var item in context.Items.Take(3))
        {
            text.Line($"- {item.Id}: what should happen when the {item.Term} data is missing or out of date?");
        }
    }

    private static void WritePlan(Artifact text, Context context)
    {
        var source = context.Brief.Approved.ContainsKey(Phase.Discovery) ? "the approved requirements document" : "the team's requirements";
        text.Line($"Plan for **{context.Title}**, built from {source} ({context.All.Count.ToString(CultureInfo.InvariantCulture)} requirements).").Line();

        text.Line("## Components").Line();
        text.Line("| Component | Responsibility |");
        text.Line("|---|---|");
        text.Line($"| `{context.ClassName}` | the rules of {context.Title}: one operation per requirement |");
        text.Line($"| `I{context.StoreName}` | saves and loads {context.PrimaryNoun} records |");
        text.Line($"| `{context.Namespace}Endpoints` | HTTP endpoints that call `{context.ClassName}` and validate input |");
        text.Line($"| `{context.Namespace}Page` | the screen where a {context.Items[0].Actor} works with {context.PrimaryNoun} |").Line();

        text.Line("## Tasks").Line();
        text.Line("| Task | What | Requirements | Size |");
        text.Line("|---|---|---|---|");
        var task = 1;
        text.Line($"| T{task++.ToString(CultureInfo.InvariantCulture)} | Create `I{context.StoreName}` and its database table for {context.PrimaryNoun} | {string.Join(", ", context.Items.Select(i => i.Id))} | M |");
        foreach (var item in context.All)
        {
            var size = item.Keywords.Count > 6 ? "L" : item.Keywords.Count > 3 ? "M" : "S";
            var what = item.FromReview
                ? $"Requested by the reviewer: {Lower(item.Text)}{ReviewMark(item)}"
                : $"Implement `{context.ClassName}.{item.MethodName}Async`: {Lower(item.Text)}";
            text.Line($"| T{task++.ToString(CultureInfo.InvariantCulture)} | {what} | {item.Id} | {size} |");
        }

        text.Line($"| T{task++.ToString(CultureInfo.InvariantCulture)} | Expose the operations in `{context.Namespace}Endpoints` and `{context.Namespace}Page` | {string.Join(", ", context.All.Select(i => i.Id))} | M |");
        text.Line($"| T{task.ToString(CultureInfo.InvariantCulture)} | Unit and end-to-end tests, one or more per requirement | {string.Join(", ", context.All.Select(i => i.Id))} | M |").Line();

        text.Line("## Risks").Line();
        foreach (var item in context.Items.Take(3))
        {
            text.Line($"- **{item.Id}, {item.Term}:** the rule \"{item.Text}\" may be read two ways. *Reduce it:* confirm the acceptance criteria with the team before T{(context.All.IndexOf(item) + 2).ToString(CultureInfo.InvariantCulture)} starts.");
        }

        text.Line($"- **Data:** existing {context.PrimaryNoun} records may not fit the new rules. *Reduce it:* a migration that is tested on a copy first.");
        text.Line("- **Scope:** new wishes arrive during the build. *Reduce it:* they go to the next build unless they block a requirement.");
    }

    private static void WriteCode(Artifact text, Context context)
    {
        var folder = $"src/{context.Namespace}";
        text.Line($"Source code for **{context.Title}**: one method per requirement in `{context.ClassName}`.").Line();
        text.Line("Files:").Line();
        text.Line($"- `{folder}/{context.ClassName}.cs`: the operations ({string.Join(", ", context.All.Select(i => i.Id))})");
        text.Line($"- `{folder}/I{context.StoreName}.cs`: where {context.PrimaryNoun} records are kept");
        text.Line($"- `{folder}/OperationResult.cs`: the outcome every operation returns").Line();

        text.Line($"### {folder}/{context.ClassName}.cs").Line();
        text.Line("```csharp");
        text.Line($"namespace {context.Namespace};").Line();
        text.Line($"/// <summary>The rules of {Xml(context.Title)}: one operation per requirement.</summary>");
        text.Line($"public sealed class {context.ClassName}(I{context.StoreName} store, TimeProvider clock)");
        text.Line("{");
        var first = true;
        foreach (var item in context.All)
        {
            if (!first)
            {
                text.Line();
            }

            first = false;
            var parameter = Camel(item.Term);
            text.Line($"    // {item.Id}: {item.Text}{ReviewMark(item)}");
            text.Line($"    public async Task<OperationResult> {item.MethodName}Async(string {parameter}, CancellationToken cancellationToken = default)");
            text.Line("    {");
            text.Line($"        if (string.IsNullOrWhiteSpace({parameter}))");
            text.Line("        {");
            text.Line($"            return OperationResult.Invalid(\"{Literal(item.Id)}: {Literal(Humanize(parameter))} is required.\");");
            text.Line("        }").Line();
            text.Line($"        await store.SaveAsync(\"{Literal(item.Id)}\", {parameter}.Trim(), clock.GetUtcNow(), cancellationToken);");
            text.Line($"        return OperationResult.Ok(\"{Literal(Sentence(item.Text))}: done.\");");
            text.Line("    }");
        }

        text.Line("}");
        text.Line("```").Line();

        text.Line($"### {folder}/I{context.StoreName}.cs").Line();
        text.Line("```csharp");
        text.Line($"namespace {context.Namespace};").Line();
        text.Line($"public interface I{context.StoreName}");
        text.Line("{");
        text.Line("    Task SaveAsync(string requirementId, string value, DateTimeOffset at, CancellationToken cancellationToken);").Line();
        text.Line("    Task<IReadOnlyList<string>> LoadAsync(string requirementId, CancellationToken cancellationToken);");
        text.Line("}");
        text.Line("```").Line();

        text.Line($"### {folder}/OperationResult.cs").Line();
        text.Line("```csharp");
        text.Line($"namespace {context.Namespace};").Line();
        text.Line("public sealed record OperationResult(bool Succeeded, string Message)");
        text.Line("{");
        text.Line("    public static OperationResult Ok(string message) => new(true, message);").Line();
        text.Line("    public static OperationResult Invalid(string message) => new(false, message);");
        text.Line("}");
        text.Line("```").Line();

        text.Line("## Decisions").Line();
        text.Line($"- Input is validated in `{context.ClassName}` so that every caller gets the same messages.");
        text.Line("- Time comes from `TimeProvider`, so that tests control the clock.");
    }

    private static void WriteTests(Artifact text, Context context)
    {
        var hasCode = context.Brief.Approved.ContainsKey(Phase.Implementation);
        text.Line($"Test cases for **{context.Title}**: two or more per requirement, against `{context.ClassName}`.").Line();
        text.Line("## Test cases").Line();
        text.Line("| ID | Requirement | Steps | Expected result |");
        text.Line("|---|---|---|---|");
        foreach (var (item, index) in context.All.Select((item, index) => (item, index)))
        {
            var term = item.Term;
            text.Line($"| {TestId(index, 'a')} | {item.Id}{ReviewMark(item)} | Call `{item.MethodName}Async` with valid {term} data | Succeeds; the {term} data is saved once with the current time; message \"{Cell(Sentence(item.Text))}: done.\" |");
            text.Line($"| {TestId(index, 'b')} | {item.Id} | Call `{item.MethodName}Async` with empty {term} data | Fails with \"{item.Id}: ... is required.\"; nothing is saved |");
            foreach (var limit in Limits(item.Text))
            {
                text.Line($"| {TestId(index, 'c')} | {item.Id} | Exercise the limit \"{Cell(limit)}\" and one step past it | At the limit it succeeds; past it a clear message and nothing saved |");
            }
        }

        text.Line();
        text.Line($"### tests/{context.Namespace}.Tests/{context.ClassName}Tests.cs").Line();
        text.Line("```csharp");
        text.Line($"namespace {context.Namespace}.Tests;").Line();
        text.Line($"public sealed class {context.ClassName}Tests");
        text.Line("{");
        text.Line($"    private readonly InMemory{context.StoreName} _store = new();");
        text.Line($"    private {context.ClassName} Service => new(_store, TimeProvider.System);");
        foreach (var item in context.All)
        {
            text.Line();
            text.Line("    [Fact]");
            text.Line($"    public async Task {item.MethodName}Async_ValidInput_Succeeds()");
            text.Line("    {");
            text.Line($"        var result = await Service.{item.MethodName}Async(\"{Literal(item.Term)} sample\");");
            text.Line("        Assert.True(result.Succeeded);");
            text.Line($"        Assert.Single(await _store.LoadAsync(\"{Literal(item.Id)}\", default));");
            text.Line("    }").Line();
            text.Line("    [Fact]");
            text.Line($"    public async Task {item.MethodName}Async_EmptyInput_FailsAndSavesNothing()");
            text.Line("    {");
            text.Line($"        var result = await Service.{item.MethodName}Async(\" \");");
            text.Line("        Assert.False(result.Succeeded);");
            text.Line($"        Assert.Empty(await _store.LoadAsync(\"{Literal(item.Id)}\", default));");
            text.Line("    }");
        }

        text.Line("}").Line();
        text.Line($"internal sealed class InMemory{context.StoreName} : I{context.StoreName}");
        text.Line("{");
        text.Line("    private readonly List<(string RequirementId, string Value)> _saved = [];").Line();
        text.Line("    public Task SaveAsync(string requirementId, string value, DateTimeOffset at, CancellationToken cancellationToken)");
        text.Line("    {");
        text.Line("        _saved.Add((requirementId, value));");
        text.Line("        return Task.CompletedTask;");
        text.Line("    }").Line();
        text.Line("    public Task<IReadOnlyList<string>> LoadAsync(string requirementId, CancellationToken cancellationToken) =>");
        text.Line("        Task.FromResult<IReadOnlyList<string>>(_saved.Where(s => s.RequirementId == requirementId).Select(s => s.Value).ToList());");
        text.Line("}");
        text.Line("```").Line();

        text.Line("## Coverage").Line();
        text.Line($"All {context.All.Count.ToString(CultureInfo.InvariantCulture)} requirements ({string.Join(", ", context.All.Select(i => i.Id))}) have a passing-path and a failing-path case.").Line();
        text.Line(hasCode
            ? "Verdict: PASS"
            : "Verdict: REWORK Implementation: no approved source code was handed on, so nothing could be tested.");
    }

    private static void WriteVerification(Artifact text, Context context)
    {
        var code = context.Brief.Approved.GetValueOrDefault(Phase.Implementation);
        var tests = context.Brief.Approved.GetValueOrDefault(Phase.Testing);
        text.Line($"Verification of **{context.Title}** against its {context.All.Count.ToString(CultureInfo.InvariantCulture)} requirements.").Line();
        text.Line("## Traceability").Line();
        text.Line("| Requirement | Implemented in | Tested by | Status |");
        text.Line("|---|---|---|---|");
        foreach (var (item, index) in context.All.Select((item, index) => (item, index)))
        {
            var implemented = code is null ? "nothing handed on"
                : code.Contains(item.MethodName, StringComparison.Ordinal) ? $"`{context.ClassName}.{item.MethodName}Async`"
                : "the source code (no method of this name)";
            var tested = tests is null ? "nothing handed on"
                : tests.Contains(TestId(index, 'a'), StringComparison.Ordinal) ? $"{TestId(index, 'a')}, {TestId(index, 'b')}"
                : "the test cases";
            var status = code is null || tests is null ? "Not met" : "Met";
            text.Line($"| {item.Id}: {Cell(item.Text)}{ReviewMark(item)} | {implemented} | {tested} | {status} |");
        }

        text.Line();
        var (verdictPhase, reason) = Rework(context, code, tests);
        text.Line("## Gaps and defects").Line();
        text.Line(reason is null ? "- None that block release." : $"- {verdictPhase}: {reason}");
        text.Line();
        text.Line("## Remaining risks").Line();
        text.Line($"- Behaviour under real load has not been measured for {context.PrimaryNoun}.");
        text.Line("- The offline model checks names and coverage, not behaviour: a person should read the code before release.").Line();
        text.Line(reason is null ? "Verdict: PASS" : $"Verdict: REWORK {verdictPhase}: {reason}");
    }

    private static (Phase? Phase, string? Reason) Rework(Context context, string? code, string? tests)
    {
        if (code is null)
        {
            return (Phase.Implementation, "no approved source code was handed on.");
        }

        if (tests is null)
        {
            return (Phase.Testing, "no approved test cases were handed on.");
        }

        if (Regex.Match(tests, @"^Verdict:\s*REWORK\b(.*)$", RegexOptions.Multiline | RegexOptions.IgnoreCase) is { Success: true } failed)
        {
            return (Phase.Testing, $"the test cases ended in REWORK{failed.Groups[1].Value.TrimEnd()}");
        }

        // A reviewer may ask for rework outright, naming the phase that must change.
        if (context.Brief.Feedback is { } feedback
            && Regex.IsMatch(feedback, @"\brework\b", RegexOptions.IgnoreCase)
            && Regex.Match(feedback, @"\b(Discovery|Planning|Implementation|Testing)\b", RegexOptions.IgnoreCase) is { Success: true } named)
        {
            return (Enum.Parse<Phase>(named.Value, ignoreCase: true), $"the reviewer asked for it: \"{OneLine(feedback)}\"");
        }

        return (null, null);
    }

    private static void WriteDeployment(Artifact text, Context context)
    {
        var verification = context.Brief.Approved.GetValueOrDefault(Phase.Verification);
        var passed = verification is null || Regex.IsMatch(verification, @"^Verdict:\s*PASS\b", RegexOptions.Multiline | RegexOptions.IgnoreCase);
        if (!passed)
        {
            text.Line("**The verification report does not end in \"Verdict: PASS\": production rollout is switched off below until it does.**").Line();
        }

        text.Line($"Deployment configuration for **{context.Title}** (service `{context.ServiceName}`).").Line();
        text.Line("```yaml");
        text.Line($"service: {context.ServiceName}");
        text.Line($"description: \"{Yaml(context.Title)}\"");
        text.Line($"image: registry.example.com/{context.ServiceName}:1.0.{context.Brief.Attempt.ToString(CultureInfo.InvariantCulture)}");
        text.Line("port: 8080");
        text.Line("environments:");
        text.Line("  - name: staging");
        text.Line("    replicas: 1");
        text.Line($"    url: https://staging.example.com/{context.ServiceName}");
        text.Line("    autoDeploy: true");
        text.Line("  - name: production");
        text.Line("    replicas: 2");
        text.Line($"    url: https://example.com/{context.ServiceName}");
        text.Line($"    enabled: {(passed ? "true" : "false")}");
        text.Line("    requiresApproval: true");
        text.Line("settings:");
        text.Line("  ASPNETCORE_ENVIRONMENT: Production");
        foreach (var item in context.All)
        {
            text.Line($"  Features__{item.MethodName}: \"enabled\"   # {item.Id}");
        }

        text.Line("secrets:");
        text.Line("  - name: ConnectionStrings__Default");
        text.Line("    from: secret-store");
        text.Line("resources:");
        text.Line("  cpu: \"500m\"");
        text.Line("  memory: \"512Mi\"");
        text.Line("healthCheck:");
        text.Line("  path: /health");
        text.Line("  checks: [database, store]");
        text.Line("  intervalSeconds: 15");
        text.Line("  timeoutSeconds: 3");
        text.Line("  failureThreshold: 3");
        text.Line("rollback:");
        text.Line("  onFailedHealthCheck: true");
        text.Line("  keepPreviousVersions: 2");
        text.Line("```").Line();

        text.Line("## Release notes").Line();
        foreach (var item in context.All)
        {
            text.Line($"- **{item.Id}** {Sentence(item.Text)}.{ReviewMark(item)}");
        }

        text.Line();
        text.Line("## Rollout").Line();
        text.Line("1. Deploy to staging; the health check must pass for 10 minutes.");
        text.Line(passed ? "2. A person approves; deploy to production one replica at a time." : "2. Stop: production waits for a passing verification report.");
        text.Line($"3. Watch the error rate and the latency of `{context.ServiceName}` for an hour; roll back on a failed health check.");
    }

    private static void WriteReply(Artifact text, OfflineBrief brief)
    {
        var terms = OfflineRequirement.KeywordsOf(brief.LastUserMessage).Take(6).ToList();
        text.Line("The offline model writes pipeline artifacts (requirements, plans, code, tests, reports, deployment files); "
            + "this message did not say which phase to work on.").Line();
        text.Line(terms.Count == 0 ? "I found nothing to work from in your message." : $"I read these terms in your message: {string.Join(", ", terms)}.");
    }

    private static string UserStory(OfflineRequirement item, Context context)
    {
        var benefit = item.Benefit ?? $"{context.Title} does what I need";
        var want = item.Action is { } action ? $"to {action}" : $"this: \"{item.Text}\"";
        return $"As {Who(item.Actor)}, I want {want}, so that {benefit}.";
    }

    private static IEnumerable<string> Criteria(OfflineRequirement item, Context context)
    {
        var term = item.Term;
        yield return item.Action is { } action
            ? $"**Given** {Who(item.Actor)} using {context.Title}, **when** they ask to {action}, **then** it happens and they see a confirmation."
            : $"**Given** {context.Title} is running, **when** this is exercised: \"{item.Text}\", **then** it behaves exactly as stated.";
        yield return $"**Given** missing or invalid {term} data, **when** the same is attempted, **then** nothing changes and a clear message names the problem.";
        foreach (var limit in Limits(item.Text))
        {
            yield return $"**Given** the limit \"{limit}\", **when** it is reached and then exceeded, **then** the first succeeds and the second is refused with a clear message.";
        }

        yield return $"**Then** the change to the {term} is recorded with who made it and when.";
    }

    private static IEnumerable<string> Limits(string text) => Regex
        .Matches(text, @"\b(?:within|under|over|above|below|up to|at most|at least|less than|more than|no more than|every|after)?\s*\d+(?:[.,]\d+)?\s*(?:%|[A-Za-z]+)?", RegexOptions.IgnoreCase)
        .Select(m => m.Value.Trim())
        .Where(v => v.Length > 0)
        .Take(1);

    private static string TestId(int index, char variant) => $"TC-{(index + 1).ToString("00", CultureInfo.InvariantCulture)}{variant}";

    private static string ReviewMark(OfflineRequirement item) => item.FromReview ? $" _(from review {item.Id})_" : "";

    /// <summary>"a customer", but "someone in finance": a department is not a person.</summary>
    private static string Who(string actor) =>
        Regex.IsMatch(actor, @"(?:er|or|ist|ant|ent|ee|ian|man|woman|person|admin|staff|team|member|guest|people|visitor|student|patient|child|parent|lead|owner|user|buyer|seller|client)$", RegexOptions.IgnoreCase)
            ? $"{Article(actor)} {actor}"
            : $"someone in {actor}";

    private static string Article(string word) =>
        word.Length > 0 && "aeiouAEIOU".Contains(word[0]) && !Regex.IsMatch(word, "^(?:us|uni|eu|one)", RegexOptions.IgnoreCase) ? "an" : "a";

    private static string Sentence(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string Lower(string text) =>
        text.Length > 1 && char.IsUpper(text[0]) && !char.IsUpper(text[1]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;

    private static string Camel(string word)
    {
        var pascal = OfflineRequirement.Pascal([word]);
        var camel = pascal.Length == 0 ? "input" : char.ToLowerInvariant(pascal[0]) + pascal[1..];
        return CSharpKeywords.Contains(camel) ? camel + "Value" : camel;
    }

    private static string Humanize(string camel) => Regex.Replace(camel, "(?<=[a-z0-9])([A-Z])", " $1").ToLowerInvariant();

    private static string OneLine(string text) => Regex.Replace(text, @"\s+", " ").Trim();

    private static string Literal(string text) => text.Replace("\\", "/").Replace("\"", "'");

    private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Cell(string text) => text.Replace("|", "/");

    private static string Yaml(string text) => text.Replace("\\", "/").Replace("\"", "'");

    /// <summary>Everything the artifacts are built from, derived once from the brief.</summary>
    private sealed class Context
    {
        public Context(OfflineBrief brief)
        {
            Brief = brief;
            Title = string.IsNullOrWhiteSpace(brief.Title) ? "the service" : brief.Title;
            Items = OfflineRequirement.FromText(brief.Requirements, brief.Title);
            Review = OfflineRequirement.FromFeedback(brief.Feedback, Items);
            All = [.. Items, .. Review];

            var titleWords = OfflineRequirement.Words(Title)
                .Where(w => !OfflineRequirement.StopWords.Contains(w) && !Regex.IsMatch(w, "^(?:service|app|build|feature)$", RegexOptions.IgnoreCase))
                .Take(3)
                .ToList();
            if (titleWords.Count == 0)
            {
                titleWords = Items.SelectMany(i => i.Keywords).Take(2).ToList();
            }

            if (titleWords.Count == 0)
            {
                titleWords = ["Feature"];
            }

            Namespace = OfflineRequirement.Pascal(titleWords);
            ClassName = Namespace + "Service";
            StoreName = Namespace + "Store";
            ServiceName = string.Join("-", titleWords.Select(w => w.ToLowerInvariant()));
            PrimaryNoun = Items.SelectMany(i => i.Nouns).GroupBy(k => k).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault()
                ?? titleWords[0].ToLowerInvariant();
            KeyTerms = string.Join(", ", Items.SelectMany(i => i.Nouns).Distinct().Take(8));
        }

        public OfflineBrief Brief { get; }
        public string Title { get; }
        public IReadOnlyList<OfflineRequirement> Items { get; }
        public IReadOnlyList<OfflineRequirement> Review { get; }
        public List<OfflineRequirement> All { get; }
        public string Namespace { get; }
        public string ClassName { get; }
        public string StoreName { get; }
        public string ServiceName { get; }
        public string PrimaryNoun { get; }
        public string KeyTerms { get; }
    }

    private sealed class Artifact
    {
        private readonly StringBuilder _text = new();

        public Artifact Line(string line = "")
        {
            _text.Append(line).Append('\n');
            return this;
        }

        public override string ToString() => _text.ToString();
    }
}
