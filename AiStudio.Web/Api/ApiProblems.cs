using AiStudio.Core.Billing;
using System.Text.Json;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiStudio.Web.Api;

/// <summary>Turns Core's exceptions and the framework's bad-request errors into RFC 7807 problems for /api.</summary>
internal static class ApiProblems
{
    public static ProblemHttpResult BuildNotFound() =>
        TypedResults.Problem("No build with this id exists, or you may not see it.", statusCode: StatusCodes.Status404NotFound, title: "Build not found");

    public static IResult FromException(DomainException exception) => exception switch
    {
        InputValidationException invalid => TypedResults.ValidationProblem(
            invalid.Errors.ToDictionary(e => JsonNamingPolicy.CamelCase.ConvertName(e.Key), e => e.Value),
            detail: invalid.Message, title: "The request is not valid."),
        NotFoundException => TypedResults.Problem(exception.Message, statusCode: StatusCodes.Status404NotFound, title: "Not found"),
        ConcurrencyConflictException => TypedResults.Problem(exception.Message, statusCode: StatusCodes.Status409Conflict, title: "The build changed"),
        DatabaseBusyException => TypedResults.Problem(exception.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "The database is busy"),
        InvalidTransitionException => TypedResults.Problem(exception.Message, statusCode: StatusCodes.Status409Conflict, title: "Not allowed in the build's state"),
        PlanLimitException limit => TypedResults.Problem(exception.Message, statusCode: StatusCodes.Status402PaymentRequired, title: "Plan limit reached",
            extensions: limit.UpgradePath is null ? null : new Dictionary<string, object?> { ["upgrade"] = limit.UpgradePath }),
        _ => TypedResults.Problem(exception.Message, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The request could not be applied"),
    };

    public static InputValidationException Invalid(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>Every /api endpoint: a domain exception is an answer for the caller, not a server error.</summary>
    public static async ValueTask<object?> MapDomainExceptions(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (DomainException exception)
        {
            return FromException(exception);
        }
    }

    /// <summary>
    /// Malformed JSON, unreadable parameters and unmatched /api routes. The framework throws on a bad request
    /// (<see cref="ApiRegistration"/> asks it to in every environment, so production answers as Development
    /// does); an empty 4xx would otherwise be re-executed into the HTML not-found page.
    /// </summary>
    public static IApplicationBuilder UseApiProblems(this IApplicationBuilder app) =>
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/api"),
            api => api
                .UseStatusCodePages(async context =>
                {
                    var response = context.HttpContext.Response;
                    var result = response.StatusCode switch
                    {
                        StatusCodes.Status404NotFound => TypedResults.Problem("There is no API endpoint at this address.", statusCode: 404, title: "Not found"),
                        StatusCodes.Status405MethodNotAllowed => TypedResults.Problem(
                            "This address does not take this method (for example a GET where a POST is needed); see /openapi/v1.json.", statusCode: 405, title: "Method not allowed"),
                        StatusCodes.Status415UnsupportedMediaType => TypedResults.Problem(
                            $"The request body must be JSON: {SendJson}.", statusCode: 415, title: "The request body is not JSON."),
                        _ => TypedResults.Problem(statusCode: response.StatusCode),
                    };
                    await result.ExecuteAsync(context.HttpContext);
                })
                .Use(async (context, next) =>
                {
                    try
                    {
                        await next(context);
                    }
                    catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
                    {
                        await ProblemOf(exception).ExecuteAsync(context);
                    }
                    catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
                    {
                        await ServerProblemOf(context, exception).ExecuteAsync(context);
                    }
                }))
            .UseWhen(
                // Stripe reads the answer's status only, but an operator reading the webhook's log reads the words.
                context => context.Request.Path.StartsWithSegments(AiStudio.Web.Billing.BillingEndpoints.WebhookPath),
                webhook => webhook.Use(async (context, next) =>
                {
                    try
                    {
                        await next(context);
                    }
                    catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
                    {
                        await ServerProblemOf(context, exception).ExecuteAsync(context);
                    }
                }))
            .UseWhen(
                context => !context.Request.Path.StartsWithSegments("/api"),
                pages => pages.Use(async (context, next) =>
                {
                    try
                    {
                        await next(context);
                    }
                    catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
                    {
                        // A form or query the pages' endpoints cannot read: a plain answer, not an error page.
                        await Results.Text(PageMessageOf(exception), statusCode: exception.StatusCode).ExecuteAsync(context);
                    }
                }));

    private static string PageMessageOf(BadHttpRequestException exception) =>
        exception.InnerException is Microsoft.AspNetCore.Antiforgery.AntiforgeryValidationException
            ? "The request is not valid: the form's antiforgery check failed, so nothing was changed. " +
              "It was not sent from a page of this site, or the page was open too long. Reload the page and try again."
            : $"The request is not valid: {PlainOf(exception)}";

    /// <summary>
    /// A database that cannot take the request (locked, read-only, a disk error, a server gone) is a 503 in words; anything
    /// else unexpected is a 500 problem that points at the log, never an HTML page, a type name or a stack.
    /// </summary>
    public static IResult ServerProblemOf(HttpContext context, Exception exception)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("AiStudio.Web.Api");
        var traceId = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        var extensions = new Dictionary<string, object?> { ["traceId"] = traceId };
        if (DatabaseFailure.Is(exception))
        {
            logger.LogError(exception, "{Method} {Path}: the database refused the request", context.Request.Method, context.Request.Path);
            return DatabaseUnavailable(exception, extensions);
        }

        logger.LogError(exception, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
        return TypedResults.Problem(
            "Something went wrong on the server, and the request may not have been carried out. Check its effect before sending it again; " +
            $"the server's log has the details under trace id {traceId}.",
            statusCode: StatusCodes.Status500InternalServerError, title: "Server error", extensions: extensions);
    }

    public static ProblemHttpResult DatabaseUnavailable(Exception exception, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(
            $"The database cannot take this request right now: {DatabaseFailure.Describe(exception)}. Nothing was saved; try again in a moment.",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "The database is unavailable", extensions: extensions);

    private static IResult ProblemOf(BadHttpRequestException exception)
    {
        var json = exception.InnerException as JsonException;
        var detail = PlainOf(exception);
        return (IsSyntax(json) ? null : FieldOf(json)) is { } field
            ? TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [field] = [$"{field} cannot be read: it has the wrong type, or text that is not valid Unicode (such as half an emoji)."] },
                detail: detail, title: "The request is not valid.")
            : TypedResults.Problem(detail, statusCode: exception.StatusCode, title: exception.StatusCode switch
            {
                StatusCodes.Status415UnsupportedMediaType => "The request body is not JSON.",
                StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
                _ => "The request is not valid.",
            });
    }

    private const string SendJson = "send one JSON object, in braces, with the request's fields, and the header Content-Type: application/json";

    /// <summary>
    /// What was wrong with the request, in the caller's terms. The framework's own messages name the handler's parameter
    /// types ("Implicit body inferred for parameter…", "Failed to bind parameter \"Nullable&lt;Guid&gt; runId\"…"), so they are
    /// never passed on.
    /// </summary>
    private static string PlainOf(BadHttpRequestException exception)
    {
        var message = exception.Message;
        if (exception.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return $"The request body must be JSON: {SendJson}.";
        }

        if (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return "The request body is larger than this server accepts.";
        }

        if (exception.InnerException is JsonException json)
        {
            if (IsSyntax(json))
            {
                return $"The request body is not valid JSON (line {json.LineNumber + 1 ?? 1}, byte {json.BytePositionInLine + 1 ?? 1}): {SendJson}.";
            }

            return FieldOf(json) is { } field
                ? $"The request body is not valid JSON for this request: {field} has the wrong type."
                : json.Path is null or "$"
                    ? $"The request body is not valid JSON for this request: {SendJson}."
                    : $"The request body is not valid JSON for this request: the value at {json.Path} has the wrong type.";
        }

        if (message.StartsWith("Implicit body inferred", StringComparison.Ordinal) || message.Contains("from body", StringComparison.Ordinal)
            || message.Contains("request body", StringComparison.Ordinal))
        {
            return $"The request has no body, or its body is JSON null: {SendJson}.";
        }

        if (ParameterOf(message) is { } parameter)
        {
            return message.StartsWith("Required parameter", StringComparison.Ordinal)
                ? $"{parameter} is required."
                : $"{parameter} is not in the form it needs (for example an id, a number or a date).";
        }

        return "The request could not be read.";
    }

    // 'Failed to bind parameter "Nullable<Guid> runId" from "abc".': the parameter's name is the last word inside the first quotes.
    private static string? ParameterOf(string message)
    {
        var start = message.IndexOf('"');
        var end = start < 0 ? -1 : message.IndexOf('"', start + 1);
        if (end < 0)
        {
            return null;
        }

        var name = message[(start + 1)..end].Split(' ').Last();
        return name.Length > 0 && name.All(char.IsLetterOrDigit) ? name : null;
    }

    // The reader's own errors (cut-off text, a stray comma) come wrapped with the path; a value of the wrong type does not.
    private static bool IsSyntax(JsonException? json) => json?.InnerException is JsonException;

    // "$.reworkCap" names a top-level field of the body; anything deeper or an array index is left to the detail.
    private static string? FieldOf(JsonException? json) =>
        json?.Path is ['$', '.', .. var name] && name.All(char.IsLetterOrDigit) && name.Length > 0 ? name : null;
}
