using AiStudio.Core.ModelProviders;
using AiStudio.Core.Roles;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AiStudio.Benchmarks.Harness;

/// <summary>
/// A chat-completion service that answers at once, so that a measurement holds only AiStudio's own work.
/// Its answer ends with a passing verdict, so the automatic policy carries a build straight through.
/// </summary>
public sealed class InstantChatCompletionService : IChatCompletionService
{
    public const string ModelId = "instant-model";

    public const string Answer = "# Output\n\nDone at once by the benchmark's instant model.\n\nVerdict: PASS";

    // As an OpenAI-protocol server ends a whole answer: the usage and a finish reason (without one, the answer counts as cut off).
    private static readonly IReadOnlyDictionary<string, object?> Usage = new Dictionary<string, object?>
    {
        ["Usage"] = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 20 },
        ["FinishReason"] = "stop",
    };

    public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?>();

    public Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ChatMessageContent>>([new ChatMessageContent(AuthorRole.Assistant, Answer, ModelId, metadata: Usage)]);

    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield return new StreamingChatMessageContent(AuthorRole.Assistant, Answer, modelId: ModelId, metadata: Usage);
    }
}

/// <summary>Every role talks to the instant model.</summary>
public sealed class InstantModelCatalog : IChatModelCatalog
{
    private readonly ChatModel _model = new("Instant", InstantChatCompletionService.ModelId, new InstantChatCompletionService());

    public ChatModel For(AiRole role) => _model;
}
