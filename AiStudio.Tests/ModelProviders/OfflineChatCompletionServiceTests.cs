using AiStudio.Core.Builds;
using AiStudio.Core.ModelProviders;
using AiStudio.Core.ModelProviders.Offline;
using AiStudio.Core.Roles;
using AiStudio.Tests.Roles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AiStudio.Tests.ModelProviders;

public sealed class OfflineChatCompletionServiceTests
{
    private const string ChargingRequirements = """
        Drivers can book charging stations in advance.
        The app shows the nearest charging station on a map.
        Operators must see how many bookings each station had per day.
        """;

    [Fact]
    public async Task GetChatMessageContentsAsync_DifferentRequirements_WriteDifferentArtifactsNamingTheirOwnNouns()
    {
        var invoices = await AnswerAsync(RoleRequests.For(Phase.Discovery));
        var charging = await AnswerAsync(RoleRequests.For(Phase.Discovery, title: "EV charging", requirements: ChargingRequirements));

        Assert.NotEqual(invoices, charging);
        Assert.Contains("invoices as CSV files", invoices, StringComparison.Ordinal);
        Assert.Contains("refunds over 500 euros", invoices, StringComparison.Ordinal);
        Assert.DoesNotContain("charging", invoices, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("book charging stations", charging, StringComparison.Ordinal);
        Assert.Contains("bookings", charging, StringComparison.Ordinal);
        Assert.DoesNotContain("invoice", charging, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task GetChatMessageContentsAsync_Discovery_WritesOneUserStoryWithCriteriaPerRequirement()
    {
        var answer = await AnswerAsync(RoleRequests.For(Phase.Discovery));

        Assert.Contains("### R1. Finance needs a way to get invoices out of the system", answer, StringComparison.Ordinal);
        Assert.Contains("### R2. Customers can export their invoices as CSV files", answer, StringComparison.Ordinal);
        Assert.Contains("As a customer, I want to export their invoices as CSV files", answer, StringComparison.Ordinal);
        Assert.Contains("### R3. Accountants must approve refunds over 500 euros", answer, StringComparison.Ordinal);
        Assert.Contains("As an accountant, I want to approve refunds over 500 euros", answer, StringComparison.Ordinal);
        Assert.Contains("the limit \"over 500 euros\"", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("### R4", answer, StringComparison.Ordinal);
        Assert.Equal(3, CountOf(answer, "**Acceptance criteria**"));
    }

    [Fact]
    public async Task GetChatMessageContentsAsync_SameInputTwice_GivesIdenticalText()
    {
        var request = RoleRequests.For(Phase.Implementation, approved: RoleRequests.ApprovedBefore(Phase.Implementation, p => $"{p} output"), feedback: "Name the CSV columns.");

        var first = await AnswerAsync(request);
        var second = await AnswerAsync(request);

        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData(Phase.Discovery, "# Requirements document: Invoice export", "**Acceptance criteria**")]
    [InlineData(Phase.Planning, "# Implementation plan: Invoice export", "## Tasks")]
    [InlineData(Phase.Implementation, "### src/InvoiceExport/InvoiceExportService.cs\n\n```csharp\nnamespace InvoiceExport;", "public async Task<OperationResult> ExportInvoicesCsvFilesAsync(")]
    [InlineData(Phase.Testing, "| ID | Requirement | Steps | Expected result |", "```csharp")]
    [InlineData(Phase.Verification, "| Requirement | Implemented in | Tested by | Status |", "`InvoiceExportService.ApproveRefunds500EurosAsync`")]
    [InlineData(Phase.Deployment, "```yaml\nservice: invoice-export\n", "healthCheck:\n  path: /health")]
    public async Task GetChatMessageContentsAsync_EachPhase_WritesItsArtifactShape(Phase phase, string expected, string alsoExpected)
    {
        var earlier = new Dictionary<Phase, string>();
        foreach (var p in PhaseExtensions.All.Where(p => p < phase))
        {
            earlier[p] = await AnswerAsync(RoleRequests.For(p, approved: [.. earlier.Select(e => new ApprovedOutput(e.Key, e.Value))]));
        }

        var answer = await AnswerAsync(RoleRequests.For(phase, approved: [.. earlier.Select(e => new ApprovedOutput(e.Key, e.Value))]));

        Assert.StartsWith(OfflineArtifactWriter.Disclaimer + "\n", answer, StringComparison.Ordinal);
        Assert.Contains(expected, answer, StringComparison.Ordinal);
        Assert.Contains(alsoExpected, answer, StringComparison.Ordinal);
        if (phase is Phase.Testing or Phase.Verification)
        {
            Assert.Equal("Verdict: PASS", LastLine(answer));
        }
    }

    [Fact]
    public async Task GetChatMessageContentsAsync_VerificationWithoutSourceCode_EndsInReworkNamingThePhase()
    {
        var answer = await AnswerAsync(RoleRequests.For(Phase.Verification, approved: [new ApprovedOutput(Phase.Discovery, "requirements")]));

        Assert.StartsWith("Verdict: REWORK Implementation: ", LastLine(answer), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetChatMessageContentsAsync_WithFeedback_QuotesAndAddressesIt()
    {
        var answer = await AnswerAsync(RoleRequests.For(Phase.Planning, feedback: "Add a task for audit logging of refunds.", attempt: 2));
        var without = await AnswerAsync(RoleRequests.For(Phase.Planning));

        Assert.Contains("## Changes in this attempt", answer, StringComparison.Ordinal);
        Assert.Contains("> Add a task for audit logging of refunds.", answer, StringComparison.Ordinal);
        Assert.Contains("| T5 | Requested by the reviewer: add a task for audit logging of refunds _(from review F1)_ | F1 |", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("Changes in this attempt", without, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingChatMessageContentsAsync_Answer_ArrivesInSeveralChunksThatJoinToTheWholeAnswer()
    {
        var service = Service();
        var history = HistoryFor(RoleRequests.For(Phase.Testing));

        var chunks = new List<StreamingChatMessageContent>();
        await foreach (var chunk in service.GetStreamingChatMessageContentsAsync(history))
        {
            chunks.Add(chunk);
        }

        var whole = (await service.GetChatMessageContentsAsync(history)).Single().Content;
        Assert.True(chunks.Count(c => !string.IsNullOrEmpty(c.Content)) > 10, $"only {chunks.Count} chunks");
        Assert.Equal(whole, string.Concat(chunks.Select(c => c.Content)));
        Assert.All(chunks, c => Assert.Equal(OfflineChatCompletionService.ModelId, c.ModelId));
    }

    [Fact]
    public async Task GetStreamingChatMessageContentsAsync_LastChunk_ReportsUsageOfAQuarterOfTheCharacters()
    {
        var history = HistoryFor(RoleRequests.For(Phase.Discovery));

        StreamingChatMessageContent? last = null;
        var text = "";
        await foreach (var chunk in Service().GetStreamingChatMessageContentsAsync(history))
        {
            last = chunk;
            text += chunk.Content;
        }

        var usage = Assert.IsType<UsageDetails>(last!.Metadata![OfflineChatCompletionService.UsageKey]);
        Assert.Equal((history.Sum(m => m.Content!.Length) + 3) / 4, usage.InputTokenCount);
        Assert.Equal((text.Length + 3) / 4, usage.OutputTokenCount);
        Assert.Equal(usage.InputTokenCount + usage.OutputTokenCount, usage.TotalTokenCount);
    }

    [Fact]
    public async Task GetStreamingChatMessageContentsAsync_CancelledWhileStreaming_ThrowsOperationCanceled()
    {
        var service = Service(chunkDelayMilliseconds: 20);
        using var cancellation = new CancellationTokenSource();
        var received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in service.GetStreamingChatMessageContentsAsync(HistoryFor(RoleRequests.For(Phase.Discovery)), cancellationToken: cancellation.Token))
            {
                if (++received == 2)
                {
                    await cancellation.CancelAsync();
                }
            }
        });
        Assert.Equal(2, received);
    }

    [Fact]
    public async Task GetChatMessageContentsAsync_MessageWithoutAPhase_AnswersPlainlyAsTheOfflineModel()
    {
        var history = new ChatHistory("You are a helpful assistant.");
        history.AddUserMessage("Tell me about lighthouses and ships.");

        var answer = (await Service().GetChatMessageContentsAsync(history)).Single().Content!;

        Assert.StartsWith(OfflineArtifactWriter.Disclaimer, answer, StringComparison.Ordinal);
        Assert.Contains("lighthouses", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void Chunks_AnyText_JoinBackExactly()
    {
        const string text = "  Leading spaces,\n\nthen   several\twords and a trailing newline\n";

        var chunks = OfflineChatCompletionService.Chunks(text).ToList();

        Assert.True(chunks.Count > 1);
        Assert.Equal(text, string.Concat(chunks));
    }

    internal static OfflineChatCompletionService Service(int chunkDelayMilliseconds = 0) =>
        new(Options.Create(new ModelOptions { Offline = { ChunkDelayMilliseconds = chunkDelayMilliseconds } }), TimeProvider.System);

    private static ChatHistory HistoryFor(RoleRequest request) => ChatHistoryFactory.ToChatHistory(ChatHistoryFactory.BuildTurns(request));

    private static async Task<string> AnswerAsync(RoleRequest request) =>
        (await Service().GetChatMessageContentsAsync(HistoryFor(request))).Single().Content!;

    private static string LastLine(string text) => text.TrimEnd().Split('\n')[^1];

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
