using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using AiStudio.Core.Builds;
using AiStudio.Core.ModelProviders;
using AiStudio.Core.ModelProviders.Offline;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Services;

namespace AiStudio.Core.Roles;

/// <summary>Runs one attempt of a role: builds its messages, streams the model's answer and measures the call.</summary>
internal sealed class RoleRunner(IChatModelCatalog catalog, TimeProvider timeProvider, ILogger<RoleRunner> logger) : IRoleRunner
{
    public async Task<RoleRunResult> RunAsync(RoleRequest request, Func<string, ValueTask>? onDelta, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        var model = catalog.For(request.Role);
        var turns = ChatHistoryFactory.BuildTurns(request);
        var history = ChatHistoryFactory.ToChatHistory(turns);
        var where = Where(model);

        logger.LogInformation(
            "Role {Role} runs {Phase} attempt {Attempt} on {Provider} model {Model}",
            request.Role, request.Phase, request.Attempt, model.Provider, model.ModelId);

        var started = timeProvider.GetTimestamp();
        var response = new StringBuilder();
        (int Input, int Output)? usage = null;

        var chunks = model.Service.GetStreamingChatMessageContentsAsync(history, executionSettings: null, kernel: null, cancellationToken);
        var enumerator = chunks.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                // Only the provider's own calls are translated; failures of onDelta belong to the caller.
                try
                {
                    if (!await enumerator.MoveNextAsync())
                    {
                        break;
                    }
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsProviderFailure(e))
                {
                    throw Failed(e, where, model);
                }

                var chunk = enumerator.Current;
                usage = ReadUsage(chunk.Metadata) ?? usage;
                if (string.IsNullOrEmpty(chunk.Content))
                {
                    continue;
                }

                response.Append(chunk.Content);
                if (onDelta is not null)
                {
                    await onDelta(chunk.Content);
                }
            }
        }
        finally
        {
            await enumerator.DisposeAsync();
        }

        var latency = timeProvider.GetElapsedTime(started);
        var text = response.ToString();
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ModelCallFailedException($"{Capitalized(where)} answered with no text for the {request.Phase.ArtifactName().ToLowerInvariant()}. Try again, or choose another model.");
        }

        // Some OpenAI-compatible servers send no usage; an estimate beats recording a free call.
        var (input, output) = usage is { } u && u.Input + u.Output > 0
            ? u
            : (OfflineChatCompletionService.EstimateTokens(turns.Sum(t => t.Content.Length)), OfflineChatCompletionService.EstimateTokens(text.Length));

        var outcome = new RoleRunOutcome(request.Prompt.Id, request.Prompt.Version, model.Provider, model.ModelId, text, input, output, latency);
        logger.LogInformation(
            "Role {Role} finished {Phase} attempt {Attempt}: {InputTokens} in, {OutputTokens} out, {LatencyMs} ms",
            request.Role, request.Phase, request.Attempt, input, output, (long)latency.TotalMilliseconds);
        return new RoleRunResult(turns, outcome);
    }

    internal static (int Input, int Output)? ReadUsage(IReadOnlyDictionary<string, object?>? metadata) =>
        metadata?.GetValueOrDefault("Usage") switch
        {
            OpenAI.Chat.ChatTokenUsage openAi => (openAi.InputTokenCount, openAi.OutputTokenCount),
            Microsoft.Extensions.AI.UsageDetails details => ((int)(details.InputTokenCount ?? 0), (int)(details.OutputTokenCount ?? 0)),
            _ => null,
        };

    private static bool IsProviderFailure(Exception e) => e is HttpOperationException
        or KernelException
        or ClientResultException
        or HttpRequestException
        or OperationCanceledException // the caller did not cancel, so the HTTP client timed out
        or IOException
        or JsonException;

    private static ModelCallFailedException Failed(Exception e, string where, ChatModel model)
    {
        var status = e switch
        {
            HttpOperationException { StatusCode: { } code } => (int)code,
            ClientResultException { Status: > 0 } client => client.Status,
            _ => 0,
        };
        if (status > 0)
        {
            var content = e is HttpOperationException http ? http.ResponseContent : SafeContent((ClientResultException)e);
            return new ModelCallFailedException(Answered(where, status, content), e);
        }

        // The connectors wrap transport failures; the innermost known cause says what really happened.
        // A timeout shows up as a cancellation somewhere in the chain, often around a socket IOException.
        var chain = Chain(e).ToList();
        var cause = chain.FirstOrDefault(x => x is OperationCanceledException or TimeoutException)
            ?? chain.FirstOrDefault(x => x is HttpRequestException)
            ?? chain.FirstOrDefault(x => x is IOException or JsonException)
            ?? e;
        return new ModelCallFailedException(Describe(cause, where, model), e);
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            yield return x;
        }
    }

    private static string Describe(Exception e, string where, ChatModel model) => e switch
    {
        OperationCanceledException or TimeoutException => $"{Capitalized(where)} did not answer in time; the call was stopped. Try again, or raise Models:TimeoutSeconds.",
        HttpRequestException http => $"Could not reach {where}: {http.Message}",
        IOException io => $"The connection to {where} broke while the answer was arriving: {io.Message}",
        JsonException => $"{Capitalized(where)} answered with something that is not an OpenAI-style chat completion (model {model.ModelId}).",
        _ => $"{Capitalized(where)} failed: {e.Message}",
    };

    private static string Answered(string where, int status, string? content)
    {
        var reason = Enum.IsDefined(typeof(HttpStatusCode), status) ? Spaced(((HttpStatusCode)status).ToString()) : "";
        var detail = ErrorDetail(content);
        var hint = status switch
        {
            401 or 403 => " Check the ApiKey configured for this role under Models.",
            404 => " Check the Model and BaseUrl configured for this role under Models.",
            429 => " The provider is rate-limiting or out of quota; try again later.",
            >= 500 => " The provider had a problem; try again later.",
            _ => "",
        };
        return $"{Capitalized(where)} answered {status} {reason}".TrimEnd() + (detail is null ? "." : $": {detail}") + hint;
    }

    /// <summary>The "error.message" of an OpenAI-style error body, or a short plain body.</summary>
    private static string? ErrorDetail(string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(content);
            if (json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("error", out var error))
            {
                var text = error.ValueKind == JsonValueKind.String ? error.GetString()
                    : error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.GetString()
                    : null;
                if (!string.IsNullOrWhiteSpace(text))
                {
                    return Shorten(text.Trim());
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: a proxy's HTML page or plain text. Show the start of it.
        }

        return Shorten(content.Trim());
    }

    private static string? SafeContent(ClientResultException e)
    {
        try
        {
            return e.GetRawResponse()?.Content?.ToString();
        }
        catch (InvalidOperationException)
        {
            // A streamed response's body may not be buffered.
            return null;
        }
    }

    private static string Where(ChatModel model) => model.Service.GetEndpoint() is { Length: > 0 } endpoint
        ? $"the model server at {endpoint.TrimEnd('/')}"
        : $"the {model.Provider.ToLowerInvariant()} model {model.ModelId}";

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    private static string Spaced(string pascal) => System.Text.RegularExpressions.Regex.Replace(pascal, "(?<=[a-z])([A-Z])", " $1");

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
