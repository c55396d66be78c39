using AiStudio.Core.Builds;
using AiStudio.Core.Roles;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AiStudio.Tests.Roles;

public sealed class ChatHistoryFactoryTests
{
    private static readonly IReadOnlyList<ChatTurn> History =
    [
        new(MessageAuthor.User, "Earlier task for attempt 1"),
        new(MessageAuthor.Assistant, "Earlier answer of attempt 1"),
        new(MessageAuthor.User, "Earlier task for attempt 2"),
        new(MessageAuthor.Assistant, "Earlier answer of attempt 2"),
    ];

    [Fact]
    public void BuildTurns_WithHistory_SendsSystemPromptThenHistoryInOrderThenOneNewUserMessage()
    {
        var request = RoleRequests.For(Phase.Implementation, history: History, promptText: "You are the Code Writer. Test prompt.");

        var turns = ChatHistoryFactory.BuildTurns(request);

        Assert.Equal(6, turns.Count);
        Assert.Equal(new ChatTurn(MessageAuthor.System, "You are the Code Writer. Test prompt."), turns[0]);
        Assert.Equal(History, turns.Skip(1).Take(4));
        Assert.Equal(MessageAuthor.User, turns[5].Author);
        Assert.Equal(ChatHistoryFactory.BuildUserMessage(request), turns[5].Content);
    }

    [Fact]
    public void BuildTurns_NewUserMessage_HoldsTitleRequirementsApprovedOutputsAndTask()
    {
        var approved = RoleRequests.ApprovedBefore(Phase.Testing, p => $"approved {p} content");
        var request = RoleRequests.For(Phase.Testing, approved: approved);

        var message = ChatHistoryFactory.BuildTurns(request)[^1].Content;

        Assert.StartsWith("# Build: Invoice export\n", message, StringComparison.Ordinal);
        Assert.Contains("- Customers can export their invoices as CSV files.", message, StringComparison.Ordinal);
        Assert.Contains("- Accountants must approve refunds over 500 euros.", message, StringComparison.Ordinal);
        var discovery = message.IndexOf("### Requirements document (Discovery)\n\napproved Discovery content", StringComparison.Ordinal);
        var planning = message.IndexOf("### Implementation plan (Planning)\n\napproved Planning content", StringComparison.Ordinal);
        var implementation = message.IndexOf("### Source code (Implementation)\n\napproved Implementation content", StringComparison.Ordinal);
        var task = message.IndexOf("## Your task\n\nPhase: Testing (attempt 1). Produce the test cases.", StringComparison.Ordinal);
        Assert.True(discovery > 0 && planning > discovery && implementation > planning && task > implementation,
            $"sections out of order: {discovery}, {planning}, {implementation}, {task}");
        Assert.Contains(ChatHistoryFactory.TaskInstruction(Phase.Testing), message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildTurns_WithFeedback_EndsWithMarkedReviewerFeedbackSection()
    {
        var request = RoleRequests.For(Phase.Planning, feedback: "Split task T2 into two smaller tasks.", attempt: 2);

        var message = ChatHistoryFactory.BuildTurns(request)[^1].Content;

        var heading = message.IndexOf("## Reviewer feedback on your previous attempt", StringComparison.Ordinal);
        Assert.True(heading > message.IndexOf("## Your task", StringComparison.Ordinal), "feedback should follow the task");
        Assert.EndsWith("Split task T2 into two smaller tasks.", message, StringComparison.Ordinal);
        Assert.Contains("Phase: Planning (attempt 2).", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    public void BuildTurns_WithoutFeedback_HasNoFeedbackSection(string? feedback)
    {
        var message = ChatHistoryFactory.BuildTurns(RoleRequests.For(Phase.Discovery, feedback: feedback))[^1].Content;

        Assert.DoesNotContain("Reviewer feedback", message, StringComparison.Ordinal);
        Assert.Contains("None yet: this is the first phase of the build.", message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildTurns_ApprovedOutputsOutOfOrder_AreSentInPhaseOrderAndOnlyEarlierPhases()
    {
        var approved = new[]
        {
            new ApprovedOutput(Phase.Planning, "the plan"),
            new ApprovedOutput(Phase.Discovery, "the requirements"),
            new ApprovedOutput(Phase.Testing, "a later phase that must not be sent"),
        };

        var message = ChatHistoryFactory.BuildTurns(RoleRequests.For(Phase.Implementation, approved: approved))[^1].Content;

        Assert.True(message.IndexOf("the requirements", StringComparison.Ordinal) < message.IndexOf("the plan", StringComparison.Ordinal));
        Assert.DoesNotContain("a later phase", message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildTurns_SameRequestTwice_GivesIdenticalTurns()
    {
        var request = RoleRequests.For(Phase.Verification, approved: RoleRequests.ApprovedBefore(Phase.Verification, p => p.ToString()), history: History, feedback: "More detail.");

        Assert.Equal(ChatHistoryFactory.BuildTurns(request), ChatHistoryFactory.BuildTurns(request));
    }

    [Fact]
    public void BuildTurns_WindowsLineEndings_AreNormalised()
    {
        var message = ChatHistoryFactory.BuildTurns(RoleRequests.For(Phase.Discovery, requirements: "First line.\r\nSecond line."))[^1].Content;

        Assert.DoesNotContain('\r', message);
        Assert.Contains("First line.\nSecond line.", message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToChatHistory_Turns_MapsAuthorsToSemanticKernelRolesInOrder()
    {
        var turns = ChatHistoryFactory.BuildTurns(RoleRequests.For(Phase.Implementation, history: History));

        var history = ChatHistoryFactory.ToChatHistory(turns);

        Assert.Equal(
            [AuthorRole.System, AuthorRole.User, AuthorRole.Assistant, AuthorRole.User, AuthorRole.Assistant, AuthorRole.User],
            history.Select(m => m.Role));
        Assert.Equal(turns.Select(t => t.Content), history.Select(m => m.Content));
    }
}
