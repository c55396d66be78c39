using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Services;

namespace AiStudio.Core.ModelProviders.Offline;

/// <summary>
/// A chat-completion service that needs no network and no key: it reads the role's chat history and writes a
/// plausible, requirement-specific artifact for the phase. Its answers are deterministic.
/// </summary>
/// <remarks>
/// Token usage is reported like the connectors built on Microsoft.Extensions.AI do: metadata key
/// <see cref="UsageKey"/> holds a <see cref="UsageDetails"/>, on the final streamed chunk and on the whole answer.
/// </remarks>
internal sealed class OfflineChatCompletionService(IOptions<ModelOptions> options, TimeProvider timeProvider) : IChatCompletionService
{
    public const string ModelId = "aistudio-offline-1";
    public const string UsageKey = "Usage";
    private const int WordsPerChunk = 4;

    public IReadOnlyDictionary<string, object?> Attributes { get; } =
        new Dictionary<string, object?> { [AIServiceExtensions.ModelIdKey] = ModelId };

    public Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(
        ChatHistory chatHistory,
        PromptExecutionSettings? executionSettings = null,
        Kernel? kernel = null,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var text = Answer(chatHistory);
        IReadOnlyList<ChatMessageContent> result =
            [new ChatMessageContent(AuthorRole.Assistant, text, ModelId, metadata: Usage(chatHistory, text))];
        return Task.FromResult(result);
    }

    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(
        ChatHistory chatHistory,
        PromptExecutionSettings? executionSettings = null,
        Kernel? kernel = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var text = Answer(chatHistory);
        var delay = TimeSpan.FromMilliseconds(Math.Max(0, options.Value.Offline.ChunkDelayMilliseconds));
        var first = true;
        foreach (var chunk in Chunks(text))
        {
            if (!first && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            first = false;
            yield return new StreamingChatMessageContent(AuthorRole.Assistant, chunk, modelId: ModelId);
        }

        // As with OpenAI's stream, usage comes on a last chunk that carries no text.
        yield return new StreamingChatMessageContent(AuthorRole.Assistant, content: null, modelId: ModelId, metadata: Usage(chatHistory, text));
    }

    /// <summary>The answer cut into pieces of a few words; joined, they give back the text exactly.</summary>
    internal static IEnumerable<string> Chunks(string text)
    {
        var wordStarts = Regex.Matches(text, @"(?<!\S)\S").Select(m => m.Index).ToList();
        var cut = 0;
        for (var i = WordsPerChunk; i < wordStarts.Count; i += WordsPerChunk)
        {
            yield return text[cut..wordStarts[i]];
            cut = wordStarts[i];
        }

        if (cut < text.Length)
        {
            yield return text[cut..];
        }
    }

    private static string Answer(ChatHistory chatHistory) => OfflineArtifactWriter.Write(OfflineBrief.Read(chatHistory));

    private static Dictionary<string, object?> Usage(ChatHistory chatHistory, string answer)
    {
        var input = EstimateTokens(chatHistory.Sum(m => m.Content?.Length ?? 0));
        var output = EstimateTokens(answer.Length);
        return new Dictionary<string, object?>
        {
            [UsageKey] = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output },
        };
    }

    /// <summary>About four characters make a token in English text; good enough to show cost and size.</summary>
    internal static int EstimateTokens(int characters) => characters <= 0 ? 0 : Math.Max(1, (characters + 3) / 4);
}
