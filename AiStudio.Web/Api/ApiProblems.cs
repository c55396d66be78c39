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
                    var result = response.StatusCode == StatusCodes.Status404NotFound
                        ? TypedResults.Problem("There is no API endpoint at this address.", statusCode: 404, title: "Not found")
                        : TypedResults.Problem(statusCode: response.StatusCode);
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
            : $"The request is not valid: {exception.Message}";

    private static IResult ProblemOf(BadHttpRequestException exception)
    {
        var json = exception.InnerException as JsonException;
        var detail = json is null ? exception.Message : $"The request body is not valid JSON: {json.Message}";
        return FieldOf(json) is { } field
            ? TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [field] = [$"{field} cannot be read: it has the wrong type, or text that is not valid Unicode (such as half an emoji)."] },
                detail: detail, title: "The request is not valid.")
            : TypedResults.Problem(detail, statusCode: exception.StatusCode, title: "The request is not valid.");
    }

    // "$.reworkCap" names a top-level field of the body; anything deeper or an array index is left to the detail.
    private static string? FieldOf(JsonException? json) =>
        json?.Path is ['$', '.', .. var name] && name.All(char.IsLetterOrDigit) && name.Length > 0 ? name : null;
}
