using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using AiStudio.Web.Billing;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AiStudio.Web.Security;

/// <summary>
/// Fixed-window limits on the doors that attackers knock on: posting the log-in and register forms (per client
/// address), the REST API (per token) and Stripe's webhook (per address). Everything else is not limited.
/// </summary>
internal static class RateLimits
{
    private static readonly string[] SignInPaths = ["/Account/Login", "/Account/LoginWith2fa", "/Account/LoginWithRecoveryCode"];

    public static IServiceCollection AddAiStudioRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RateLimitSettings>(configuration.GetSection(RateLimitSettings.Section));
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitSettings>>((options, settings) =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, settings.Value));
            options.OnRejected = RejectAsync;
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, RateLimitSettings settings)
    {
        var request = context.Request;
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (HttpMethods.IsPost(request.Method))
        {
            if (SignInPaths.Any(p => request.Path.Equals(p, StringComparison.OrdinalIgnoreCase)))
            {
                return Window($"sign-in:{address}", settings.SignIn);
            }

            if (request.Path.Equals("/Account/Register", StringComparison.OrdinalIgnoreCase))
            {
                return Window($"sign-up:{address}", settings.SignUp);
            }

            if (request.Path.Equals(BillingEndpoints.WebhookPath, StringComparison.OrdinalIgnoreCase))
            {
                return Window($"webhook:{address}", settings.Webhook);
            }
        }

        if (IsApi(request))
        {
            return Window($"api:{ApiCaller(context, address)}", settings.Api);
        }

        return RateLimitPartition.GetNoLimiter("none");
    }

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
        else if (context.Request.Path.Equals(BillingEndpoints.WebhookPath, StringComparison.OrdinalIgnoreCase))
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
