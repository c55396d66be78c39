using AiStudio.Core.Observability;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AiStudio.Web.Observability;

/// <summary>Health endpoints, trace ids in log scopes and, when an OTLP endpoint is configured, OpenTelemetry export.</summary>
internal static class ObservabilityRegistration
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    // A check that ignores its token still lets the probe answer in time.
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public static IHostApplicationBuilder AddAiStudioObservability(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy("The process is up and serving requests."), [LiveTag])
            .AddCheck<DatabaseHealthCheck>("database", HealthStatus.Unhealthy, [ReadyTag], CheckTimeout)
            .AddCheck<JobEngineHealthCheck>("jobs", HealthStatus.Unhealthy, [ReadyTag], CheckTimeout)
            .AddCheck<OutboxHealthCheck>("outbox", HealthStatus.Degraded, [ReadyTag], CheckTimeout);

        // Every log entry written inside a request or a phase run carries its trace and span ids as scope properties.
        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        var settings = OpenTelemetrySettings.From(builder.Configuration);
        if (settings is not null)
        {
            AddOpenTelemetry(builder.Services, settings);
        }

        return builder;
    }

    public static WebApplication MapAiStudioHealthChecks(this WebApplication app)
    {
        var live = Options(r => r.Tags.Contains(LiveTag));
        var ready = Options(r => r.Tags.Contains(ReadyTag));
        app.MapHealthChecks("/health/live", live).AllowAnonymous();
        app.MapHealthChecks("/health/ready", ready).AllowAnonymous();

        // The original endpoint: ready, since the app only ever listened once the database was migrated.
        app.MapHealthChecks("/health", ready).AllowAnonymous();
        return app;
    }

    private static HealthCheckOptions Options(Func<HealthCheckRegistration, bool> predicate) => new()
    {
        Predicate = predicate,
        ResponseWriter = HealthDescriptions.WriteAsync,
    };

    // Nothing is registered when nothing is exported: no listener, so no span is ever created and the app stays offline.
    private static void AddOpenTelemetry(IServiceCollection services, OpenTelemetrySettings settings) =>
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(settings.ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(AiStudioTelemetry.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(AiStudioTelemetry.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithLogging()
            .UseOtlpExporter(settings.Protocol, settings.Endpoint);
}

/// <summary>
/// Where to send telemetry: <c>OpenTelemetry:OtlpEndpoint</c>, else the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>;
/// none means no export. OTLP over HTTP/protobuf unless <c>OpenTelemetry:OtlpProtocol</c> (or
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>) says grpc.
/// </summary>
internal sealed record OpenTelemetrySettings(Uri Endpoint, OtlpExportProtocol Protocol, string ServiceName)
{
    public const string DefaultServiceName = "AiStudio";

    public static OpenTelemetrySettings? From(IConfiguration configuration)
    {
        var endpoint = First(configuration["OpenTelemetry:OtlpEndpoint"], configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (endpoint is null)
        {
            return null;
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"OpenTelemetry:OtlpEndpoint is '{endpoint}'; give an http:// or https:// address, e.g. http://localhost:4318.");
        }

        var protocolText = First(configuration["OpenTelemetry:OtlpProtocol"], configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]) ?? "http/protobuf";
        var protocol = protocolText.Trim().ToLowerInvariant() switch
        {
            "http/protobuf" or "httpprotobuf" or "http" => OtlpExportProtocol.HttpProtobuf,
            "grpc" => OtlpExportProtocol.Grpc,
            _ => throw new InvalidOperationException($"OpenTelemetry:OtlpProtocol is '{protocolText}'; use 'http/protobuf' or 'grpc'."),
        };
        var serviceName = First(configuration["OpenTelemetry:ServiceName"], configuration["OTEL_SERVICE_NAME"]) ?? DefaultServiceName;
        return new OpenTelemetrySettings(uri, protocol, serviceName);
    }

    private static string? First(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
}
