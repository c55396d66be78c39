using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AiStudio.Web.Security;

/// <summary>
/// Fixed-window limits on the doors that attackers knock on: posting the forms that sign in or make an account (per
/// client address), the REST API (per token) and Stripe's webhook (per address). Everything else is not limited.
/// </summary>
/// <remarks>
/// The forms and the webhook are limited by the endpoint that routing chose, not by the request's path: a path
/// compared as a string misses <c>/Account/Login/</c> and every other spelling that routing still matches. So the
/// limiter runs after routing (<see cref="DependencyInjection.UseAiStudioWeb"/>), and each form's page names its
/// policy with <c>[EnableRateLimiting]</c>.
/// </remarks>
internal static class RateLimits
{
    /// <summary>Every form that checks a password, an authenticator code or a recovery code.</summary>
    public const string SignIn = "sign-in";

    /// <summary>Every form that creates an account.</summary>
    public const string SignUp = "sign-up";

    /// <summary>Every form that emails an address typed into it (a password reset, a confirmation sent again).</summary>
    public const string AccountEmail = "account-email";

    // The name BillingEndpoints gives Stripe's webhook.
    private const string WebhookEndpointName = "StripeWebhook";

    public static IServiceCollection AddAiStudioRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RateLimitSettings>(configuration.GetSection(RateLimitSettings.Section));
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitSettings>>((options, settings) =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, settings.Value));
            options.AddPolicy(SignIn, context => FormPost(context, SignIn, settings.Value.SignIn));
            options.AddPolicy(SignUp, context => FormPost(context, SignUp, settings.Value.SignUp));
            options.AddPolicy(AccountEmail, context => FormPost(context, AccountEmail, settings.Value.AccountEmail));
            options.OnRejected = RejectAsync;
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, RateLimitSettings settings)
    {
        var request = context.Request;
        var address = Address(context);
        if (IsWebhook(context))
        {
            return Window($"webhook:{address}", settings.Webhook);
        }

        if (IsApi(request))
        {
            return Window($"api:{ApiCaller(context, address)}", settings.Api);
        }

        return RateLimitPartition.GetNoLimiter("none");
    }

    /// <summary>Reading a form's page is free; posting it counts.</summary>
    private static RateLimitPartition<string> FormPost(HttpContext context, string policy, RateLimitRule rule) =>
        HttpMethods.IsPost(context.Request.Method) ? Window($"{policy}:{Address(context)}", rule) : RateLimitPartition.GetNoLimiter("none");

    private static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static bool IsWebhook(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == WebhookEndpointName;

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    /// <summary>The token when there is one (hashed: the partition key must not hold a usable secret), else the address.</summary>
    private static string ApiCaller(HttpContext context, string address)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7)
        {
            return "token:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(authorization[7..].Trim())));
        }

        return "address:" + address;
    }

    private static RateLimitPartition<string> Window(string key, RateLimitRule rule) =>
        rule.PermitLimit <= 0
            ? RateLimitPartition.GetNoLimiter(key)
            : RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = rule.PermitLimit,
                Window = TimeSpan.FromSeconds(Math.Max(1, rule.WindowSeconds)),
                QueueLimit = 0,
            });

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 60;
        var wait = seconds == 1 ? "1 second" : $"{seconds} seconds";

        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RateLimits).FullName!)
            .LogWarning("Rate limit reached: {Method} {Path} from {Address}", context.Request.Method, context.Request.Path, context.Connection.RemoteIpAddress);

        var response = context.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var message = $"Too many requests. Try again in {wait}.";

        if (IsApi(context.Request))
        {
            await Results.Problem(message, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests").ExecuteAsync(context);
        }
        else if (IsWebhook(context))
        {
            await Results.Text(message, statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context);
        }
        else
        {
            response.ContentType = "text/html; charset=utf-8";
            await response.WriteAsync(TooManyAttemptsPage(wait), cancellationToken);
        }
    }

    private static string TooManyAttemptsPage(string wait) => $"""
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8" /><title>Too many attempts</title></head>
        <body>
        <main>
        <h1>Too many attempts</h1>
        <p>This form was sent too often from your address. Try again in {WebUtility.HtmlEncode(wait)}.</p>
        <p><a href="/">Back to AiStudio</a></p>
        </main>
        </body>
        </html>
        """;
}
