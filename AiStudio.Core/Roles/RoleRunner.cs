using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using AiStudio.Core.Builds;
using AiStudio.Core.ModelProviders;
using AiStudio.Core.ModelProviders.Anthropic;
using AiStudio.Core.ModelProviders.Offline;
using AiStudio.Core.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Services;

namespace AiStudio.Core.Roles;

/// <summary>
/// Runs one attempt of a role: builds its messages, streams the model's answer and measures the call. A call that
/// fails for a passing reason (rate limit, server error, timeout, broken connection, an answer that is not a chat
/// answer) is tried again with exponential backoff, for every provider alike. A stream that broke midway is asked
/// again from the start: the half answer is dropped and onRestart tells whoever showed it, so no text counts twice.
/// </summary>
internal sealed class RoleRunner(
    IChatModelCatalog catalog, IOptions<ModelOptions> options, TimeProvider timeProvider, AiStudioTelemetry telemetry, ILogger<RoleRunner> logger) : IRoleRunner
{
    public async Task<RoleRunResult> RunAsync(
        RoleRequest request, Func<string, ValueTask>? onDelta, CancellationToken cancellationToken, Func<ValueTask>? onRestart = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        var model = catalog.For(request.Role);
        var settings = options.Value;
        var turns = ChatHistoryFactory.BuildTurns(request);
        var history = ChatHistoryFactory.ToChatHistory(turns);
        var where = Where(model);

        logger.LogInformation(
            "Role {Role} runs {Phase} attempt {Attempt} on {Provider} model {Model}",
            request.Role, request.Phase, request.Attempt, model.Provider, model.ModelId);

        using var measured = ModelCallTelemetry.Start(telemetry, request, model, cancellationToken);
        var started = timeProvider.GetTimestamp();
        var retries = 0;
        var response = new StringBuilder();
        (int Input, int Output)? usage;
        while (true)
        {
            response.Clear();
            try
            {
                usage = await StreamAsync(model, history, response, onDelta, TimeSpan.FromSeconds(settings.TimeoutSeconds), cancellationToken);
                break;
            }
            catch (ProviderFailure failure)
            {
                var error = Failed(failure.Cause, failure.TimedOut, where, model);
                var streamed = response.Length;
                if (!(failure.TimedOut || ModelCallRetry.IsTransient(failure.Cause)) || retries >= settings.MaxRetries)
                {
                    var message = streamed > 0 ? StoppedMidAnswer(streamed, error.Message) : error.Message;
                    throw retries == 0 ? new ModelCallFailedException(message, failure.Cause) : new ModelCallFailedException($"{message} {Retried(retries)}", failure.Cause);
                }

                // A broken stream is asked again from the start: the half answer is dropped, and whoever showed it is told to clear it.
                if (streamed > 0 && onRestart is not null)
                {
                    await onRestart();
                }

                retries++;
                var delay = ModelCallRetry.Delay(
                    retries,
                    ModelCallRetry.RetryAfterOf(failure.Cause, timeProvider.GetUtcNow()),
                    TimeSpan.FromMilliseconds(settings.RetryBaseDelayMilliseconds),
                    TimeSpan.FromSeconds(settings.RetryMaxDelaySeconds),
                    Random.Shared.NextDouble());
                logger.LogWarning(
                    "Role {Role} {Phase} attempt {Attempt}: {Problem} Retry {Retry} of {MaxRetries} in {DelayMs} ms.",
                    request.Role, request.Phase, request.Attempt, error.Message, retries, settings.MaxRetries, (long)delay.TotalMilliseconds);
                measured?.Retrying(retries, error.Message);
                await Task.Delay(delay, timeProvider, cancellationToken);
            }
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
            "Role {Role} finished {Phase} attempt {Attempt}: {InputTokens} in, {OutputTokens} out, {LatencyMs} ms, {Retries} retries",
            request.Role, request.Phase, request.Attempt, input, output, (long)latency.TotalMilliseconds, retries);
        measured?.Succeeded(outcome, retries);
        return new RoleRunResult(turns, outcome);
    }

    /// <summary>
    /// One call to the model: appends the answer's text to <paramref name="response"/> as it arrives and returns the
    /// usage it reported. Failures of the provider come out as <see cref="ProviderFailure"/>; those of onDelta as they are.
    /// </summary>
    private async Task<(int Input, int Output)?> StreamAsync(
        ChatModel model, ChatHistory history, StringBuilder response, Func<string, ValueTask>? onDelta, TimeSpan timeoutAfter, CancellationToken cancellationToken)
    {
        // The timeout runs only while we wait for the model, so a slow onDelta or a long steady answer is never cut.
        using var timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        (int Input, int Output)? usage = null;
        var received = 0;
        var finished = false;
        IAsyncEnumerator<StreamingChatMessageContent>? enumerator = null;
        try
        {
            timeout.CancelAfter(timeoutAfter);
            try
            {
                enumerator = model.Service.GetStreamingChatMessageContentsAsync(history, executionSettings: null, kernel: null, linked.Token)
                    .GetAsyncEnumerator(linked.Token);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && (timeout.IsCancellationRequested || IsProviderFailure(e)))
            {
                throw new ProviderFailure(e, timeout.IsCancellationRequested);
            }

            while (true)
            {
                timeout.CancelAfter(timeoutAfter);
                try
                {
                    if (!await enumerator.MoveNextAsync())
                    {
                        break;
                    }
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && (timeout.IsCancellationRequested || IsProviderFailure(e)))
                {
                    throw new ProviderFailure(e, timeout.IsCancellationRequested);
                }
                finally
                {
                    timeout.CancelAfter(Timeout.InfiniteTimeSpan);
                }

                var chunk = enumerator.Current;
                received++;
                finished |= SaysFinished(chunk.Metadata);
                usage = ReadUsage(chunk.Metadata) ?? usage;
                if (CutAtTokenLimit(chunk.Metadata))
                {
                    logger.LogWarning("{Provider} model {Model} stopped at its output token limit; the answer is cut short.", model.Provider, model.ModelId);
                }

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

            // Not one event of a chat answer: the body was something else, e.g. an HTML page behind a 200.
            if (received == 0)
            {
                throw new ProviderFailure(new UnreadableAnswerException(), timedOut: false);
            }

            // A connection closed cleanly in the middle of an OpenAI-style stream ends it without error; only the missing
            // finish reason tells it from a whole answer. (Anthropic's service checks its own end event; the offline model cannot break.)
            if (!finished && model.Provider is not (ModelProviderNames.Offline or ModelProviderNames.Anthropic))
            {
                throw new ProviderFailure(new IOException("the answer ended before the model said it was complete."), timedOut: false);
            }
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested && e.CancellationToken != cancellationToken)
        {
            // The connector saw the linked token; the caller should see its own.
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
        finally
        {
            if (enumerator is not null)
            {
                await enumerator.DisposeAsync();
            }
        }

        return usage;
    }

    /// <summary>A failure of the provider's call, as opposed to one of the caller's onDelta.</summary>
    private sealed class ProviderFailure(Exception cause, bool timedOut) : Exception(cause.Message, cause)
    {
        public Exception Cause { get; } = cause;

        public bool TimedOut { get; } = timedOut;
    }

    private static string Retried(int retries) =>
        retries == 1 ? "Retried once before giving up." : $"Retried {retries} times before giving up.";

    private static string StoppedMidAnswer(int characters, string cause) =>
        $"{cause} This happened after {characters} characters of the answer had arrived; the half answer was discarded.";

    internal static (int Input, int Output)? ReadUsage(IReadOnlyDictionary<string, object?>? metadata) =>
        metadata?.GetValueOrDefault("Usage") switch
        {
            OpenAI.Chat.ChatTokenUsage openAi => (openAi.InputTokenCount, openAi.OutputTokenCount),
            Microsoft.Extensions.AI.UsageDetails details => ((int)(details.InputTokenCount ?? 0), (int)(details.OutputTokenCount ?? 0)),
            _ => null,
        };

    private static bool SaysFinished(IReadOnlyDictionary<string, object?>? metadata) => metadata?.GetValueOrDefault("FinishReason") is not null;

    // OpenAI says "length" (as FinishReason, a ChatFinishReason), Anthropic "max_tokens" (as StopReason).
    private static bool CutAtTokenLimit(IReadOnlyDictionary<string, object?>? metadata) =>
        metadata is not null
        && (string.Equals(metadata.GetValueOrDefault("FinishReason")?.ToString(), "length", StringComparison.OrdinalIgnoreCase)
            || string.Equals(metadata.GetValueOrDefault(AnthropicChatCompletionService.StopReasonKey)?.ToString(), "max_tokens", StringComparison.Ordinal));

    private static bool IsProviderFailure(Exception e) => e is HttpOperationException
        or KernelException
        or ClientResultException
        or HttpRequestException
        or OperationCanceledException // the caller did not cancel, so the HTTP client timed out
        or IOException
        or JsonException;

    private static ModelCallFailedException Failed(Exception e, bool timedOut, string where, ChatModel model)
    {
        if (timedOut)
        {
            return new ModelCallFailedException(Describe(new TimeoutException(), where, model), e);
        }

        if (ModelCallRetry.Status(e) is { } status)
        {
            var content = ModelCallRetry.Chain(e).Select(x => x switch
            {
                HttpOperationException http => http.ResponseContent,
                ClientResultException client => SafeContent(client),
                _ => null,
            }).FirstOrDefault(c => !string.IsNullOrWhiteSpace(c));
            return new ModelCallFailedException(Answered(where, status, content), e);
        }

        // The connectors wrap transport failures; the innermost known cause says what really happened.
        // A timeout shows up as a cancellation somewhere in the chain, often around a socket IOException.
        var chain = Chain(e).ToList();
        var cause = chain.FirstOrDefault(x => x is OperationCanceledException or TimeoutException)
            ?? chain.FirstOrDefault(x => x is HttpRequestException)
            ?? chain.FirstOrDefault(x => x is IOException or JsonException or UnreadableAnswerException)
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
        JsonException or UnreadableAnswerException =>
            $"{Capitalized(where)} answered with something that is not a chat answer (model {model.ModelId}); check that BaseUrl points at a server for the {model.Provider} provider.",
        _ => $"{Capitalized(where)} failed: {e.Message}",
    };

    private static string Answered(string where, int status, string? content)
    {
        var reason = status == 529 ? "Overloaded" // Anthropic's own status
            : Enum.IsDefined(typeof(HttpStatusCode), status) ? Spaced(((HttpStatusCode)status).ToString()) : "";
        var detail = ErrorDetail(content);
        var hint = status switch
        {
            401 or 403 => " Check the ApiKey configured for this role under Models.",
            404 => " Check the Model and BaseUrl configured for this role under Models.",
            429 => " The provider is rate-limiting or out of quota; try again later.",
            >= 500 => " The provider had a problem; try again later.",
            _ => "",
        };
        return $"{Capitalized(where)} answered {status} {reason}".TrimEnd() + (detail is null ? "." : $": {Sentence(detail)}") + hint;
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

    private static string Sentence(string text) => text.EndsWith('.') || text.EndsWith('!') || text.EndsWith('?') || text.EndsWith('…') ? text : text + ".";

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    private static string Spaced(string pascal) => System.Text.RegularExpressions.Regex.Replace(pascal, "(?<=[a-z])([A-Z])", " $1");

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
