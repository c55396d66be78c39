using System.Text;
using AiStudio.Core.Billing;

namespace AiStudio.Web.Billing;

/// <summary>
/// Stripe's webhook. Anonymous and without antiforgery (Stripe cannot send a token): the signature is the check.
/// </summary>
public static class BillingEndpoints
{
    public const string WebhookPath = "/billing/webhook";

    public static IEndpointRouteBuilder MapBillingEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(WebhookPath, ReceiveWebhookAsync)
            .AllowAnonymous()
            .DisableAntiforgery()
            .ExcludeFromDescription()
            .WithName("StripeWebhook");
        return app;
    }

    private static async Task<IResult> ReceiveWebhookAsync(HttpContext context, IStripeWebhookProcessor processor, CancellationToken cancellationToken)
    {
        // The signature covers the body exactly as sent: read it as text before anything else can touch it.
        string payload;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            payload = await reader.ReadToEndAsync(cancellationToken);
        }

        var outcome = await processor.ProcessAsync(payload, context.Request.Headers["Stripe-Signature"].ToString(), cancellationToken);

        // Bodies on the errors keep the status-code pages from turning them into an HTML "not found" page.
        return outcome switch
        {
            WebhookOutcome.Rejected => Results.Text("The Stripe signature is missing or wrong.", statusCode: StatusCodes.Status400BadRequest),
            WebhookOutcome.NotAnEvent => Results.Text("The signature is right but the body is not a Stripe event.", statusCode: StatusCodes.Status400BadRequest),
            WebhookOutcome.RetryLater => Results.Text("Stripe's API could not be reached to read the event's subscription; nothing was changed. Deliver the event again later.",
                statusCode: StatusCodes.Status503ServiceUnavailable),
            WebhookOutcome.NotConfigured => Results.Text("Stripe webhooks are not configured on this installation.", statusCode: StatusCodes.Status503ServiceUnavailable),
            _ => Results.Ok(new { received = true, outcome = outcome.ToString() }),
        };
    }
}
