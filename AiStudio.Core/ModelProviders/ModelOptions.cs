using System.Globalization;
using AiStudio.Core.Roles;
using Microsoft.Extensions.Options;

namespace AiStudio.Core.ModelProviders;

/// <summary>Which model each role talks to; bound from the configuration section "Models".</summary>
public sealed class ModelOptions
{
    public const string SectionName = "Models";

    /// <summary>Used by every role that has no entry under <see cref="Roles"/>.</summary>
    public ModelEndpointOptions Default { get; set; } = new();

    /// <summary>Per-role overrides, keyed by role name (for example "CodeWriter").</summary>
    public Dictionary<string, ModelEndpointOptions> Roles { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public OfflineModelOptions Offline { get; set; } = new();

    /// <summary>
    /// How long the model may stay silent (before its first piece of text, or between two pieces) before the
    /// attempt counts as failed. A steady stream is never cut, however long the answer.
    /// </summary>
    public int TimeoutSeconds { get; set; } = 100;

    /// <summary>
    /// How many times a failed call is tried again (429, 5xx, timeouts, broken or cut streams, answers that are not chat
    /// answers) before giving up. A stream cut midway starts again from the beginning.
    /// </summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry waits about this long; each further retry about twice as long (with jitter).</summary>
    public int RetryBaseDelayMilliseconds { get; set; } = 1000;

    /// <summary>No retry waits longer than this, not even when the provider's Retry-After asks for more.</summary>
    public int RetryMaxDelaySeconds { get; set; } = 30;

    public ModelEndpointOptions For(AiRole role) =>
        Roles.FirstOrDefault(r => string.Equals(r.Key, role.ToString(), StringComparison.OrdinalIgnoreCase)).Value ?? Default;
}

public sealed class ModelEndpointOptions
{
    /// <summary>A model kind from the seed ("GPT-4", "GPT-3.5", "Claude", "Local") that fills in Provider and Model.</summary>
    public string Kind { get; set; } = "";

    /// <summary>Empty means the Kind's provider, or Offline when no Kind is set either.</summary>
    public string Provider { get; set; } = "";

    /// <summary>The model id; for Azure OpenAI the deployment name.</summary>
    public string Model { get; set; } = "";

    /// <summary>Same as <see cref="Model"/>, under the name Azure uses.</summary>
    public string Deployment { get; set; } = "";

    /// <summary>Empty for the provider's public API; otherwise the server's address (for Azure the resource endpoint).</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>Same as <see cref="BaseUrl"/>, under the name Azure uses.</summary>
    public string Endpoint { get; set; } = "";

    public string ApiKey { get; set; } = "";

    /// <summary>Azure OpenAI only: empty uses the "/openai/v1" API; a version (e.g. 2024-10-21) uses the deployment route.</summary>
    public string ApiVersion { get; set; } = "";

    /// <summary>Anthropic only: the longest answer, in tokens; 4096 when not set.</summary>
    public int? MaxTokens { get; set; }

    // Options objects end up in log messages and debugger views; the key must not.
    public override string ToString() =>
        $"Kind={Kind}, Provider={Provider}, Model={(Model.Length > 0 ? Model : Deployment)}, BaseUrl={(BaseUrl.Length > 0 ? BaseUrl : Endpoint)}, "
        + $"ApiKey={(string.IsNullOrEmpty(ApiKey) ? "(none)" : "(set)")}";
}

/// <summary>A role's model settings after the Kind, aliases and provider defaults have been applied.</summary>
internal sealed record ResolvedModelEndpoint(string Provider, string Model, string BaseUrl, string ApiKey, string ApiVersion, int MaxTokens)
{
    public const int DefaultMaxTokens = 4096;

    public override string ToString() =>
        $"Provider={Provider}, Model={Model}, BaseUrl={BaseUrl}, ApiKey={(string.IsNullOrEmpty(ApiKey) ? "(none)" : "(set)")}";

    public static ResolvedModelEndpoint From(ModelEndpointOptions options)
    {
        var kind = ModelKinds.Find(options.Kind);
        var provider = ModelProviderNames.Normalize(string.IsNullOrWhiteSpace(options.Provider) ? kind?.Provider : options.Provider)
            ?? throw new InvalidOperationException($"Unknown provider \"{options.Provider}\".");
        var model = FirstOf(options.Model, options.Deployment, kind is not null && kind.Provider == provider ? kind.DefaultModel : "");
        var baseUrl = FirstOf(options.BaseUrl, options.Endpoint, provider == ModelProviderNames.Local ? ModelProviderNames.LocalDefaultBaseUrl : "");
        return new ResolvedModelEndpoint(provider, model, baseUrl, options.ApiKey.Trim(), options.ApiVersion.Trim(), options.MaxTokens ?? DefaultMaxTokens);
    }

    private static string FirstOf(params string[] values) => values.Select(v => v.Trim()).FirstOrDefault(v => v.Length > 0) ?? "";
}

public sealed class OfflineModelOptions
{
    /// <summary>Pause between streamed chunks, so the page shows text arriving; 0 streams at once.</summary>
    public int ChunkDelayMilliseconds { get; set; } = 15;
}

public static class ModelProviderNames
{
    public const string Offline = "Offline";
    public const string OpenAI = "OpenAI";
    public const string AzureOpenAI = "AzureOpenAI";
    public const string Anthropic = "Anthropic";

    /// <summary>An OpenAI-compatible server on this machine (Ollama by default), needing no key.</summary>
    public const string Local = "Local";

    public const string LocalDefaultBaseUrl = "http://localhost:11434";

    public static IReadOnlyList<string> All { get; } = [Offline, OpenAI, AzureOpenAI, Anthropic, Local];

    /// <summary>The canonical spelling of a configured provider name, or null when it is not one we support.</summary>
    public static string? Normalize(string? provider)
    {
        var name = string.IsNullOrWhiteSpace(provider) ? Offline : provider.Trim();
        return All.FirstOrDefault(p => string.Equals(p, name, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>Fails start-up with a message that names the faulty setting and what it may be.</summary>
internal sealed class ModelOptionsValidator : IValidateOptions<ModelOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelOptions options)
    {
        var errors = Problems(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static IEnumerable<string> Problems(ModelOptions options)
    {
        var section = ModelOptions.SectionName;
        if (options.TimeoutSeconds <= 0)
        {
            yield return $"{section}:TimeoutSeconds must be more than 0 (it is {options.TimeoutSeconds}).";
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            yield return $"{section}:MaxRetries must be from 0 to 10 (it is {options.MaxRetries}).";
        }

        if (options.RetryBaseDelayMilliseconds < 0)
        {
            yield return $"{section}:RetryBaseDelayMilliseconds must be 0 or more (it is {options.RetryBaseDelayMilliseconds}).";
        }

        if (options.RetryMaxDelaySeconds <= 0)
        {
            yield return $"{section}:RetryMaxDelaySeconds must be more than 0 (it is {options.RetryMaxDelaySeconds}).";
        }

        if (options.Offline.ChunkDelayMilliseconds < 0)
        {
            yield return $"{section}:Offline:ChunkDelayMilliseconds must be 0 or more.";
        }

        foreach (var problem in Problems($"{section}:Default", "the default model", options.Default))
        {
            yield return problem;
        }

        var roleNames = string.Join(", ", Enum.GetNames<AiRole>());
        foreach (var (key, endpoint) in options.Roles.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var path = $"{section}:Roles:{key}";
            if (!Enum.TryParse<AiRole>(key, ignoreCase: true, out var role) || !Enum.IsDefined(role) || int.TryParse(key, out _))
            {
                yield return $"{path}: \"{key}\" is not a role. Use one of: {roleNames}.";
                continue;
            }

            foreach (var problem in Problems(path, $"role {role.DisplayName()}", endpoint))
            {
                yield return problem;
            }
        }
    }

    internal static IEnumerable<string> Problems(string path, string who, ModelEndpointOptions endpoint)
    {
        var kind = ModelKinds.Find(endpoint.Kind);
        if (!string.IsNullOrWhiteSpace(endpoint.Kind) && kind is null)
        {
            yield return $"{path}:Kind is \"{endpoint.Kind}\" for {who}; use one of: {string.Join(", ", ModelKinds.All.Select(k => k.Name))}.";
            yield break;
        }

        var explicitProvider = !string.IsNullOrWhiteSpace(endpoint.Provider);
        var provider = ModelProviderNames.Normalize(explicitProvider ? endpoint.Provider : kind?.Provider);
        if (provider is null)
        {
            var hint = ModelKinds.Find(endpoint.Provider) is { } meant ? $" (\"{meant.Name}\" is a Kind: set Kind to it instead)" : "";
            yield return $"{path}:Provider is \"{endpoint.Provider}\" for {who}; use one of: {string.Join(", ", ModelProviderNames.All)}{hint}.";
            yield break;
        }

        if (kind is not null && !kind.Providers.Contains(provider))
        {
            yield return $"{path}: Kind {kind.Name} does not run on Provider {provider} for {who}; use one of: {string.Join(", ", kind.Providers)}, or leave Provider empty.";
            yield break;
        }

        if (provider == ModelProviderNames.Offline)
        {
            yield break;
        }

        if (Conflict(endpoint.Deployment, endpoint.Model))
        {
            yield return $"{path}:Deployment and {path}:Model differ for {who}; Deployment is another name for Model, so set only one.";
        }

        if (Conflict(endpoint.Endpoint, endpoint.BaseUrl))
        {
            yield return $"{path}:Endpoint and {path}:BaseUrl differ for {who}; Endpoint is another name for BaseUrl, so set only one.";
        }

        var resolved = ResolvedModelEndpoint.From(endpoint);
        if (resolved.Model.Length == 0)
        {
            yield return provider switch
            {
                ModelProviderNames.AzureOpenAI => $"{path}:Model is empty for {who}; Azure OpenAI needs the deployment name (Model or Deployment).",
                ModelProviderNames.Anthropic => $"{path}:Model is empty for {who}; the Anthropic provider needs a model id (for example claude-sonnet-4-5), or set Kind to Claude.",
                ModelProviderNames.Local => $"{path}:Model is empty for {who}; the Local provider needs the model's name on the server (for example llama3.1), or set Kind to Local.",
                _ => $"{path}:Model is empty for {who}; the OpenAI provider needs a model id (for example gpt-4o-mini).",
            };
        }

        if (resolved.BaseUrl.Length > 0
            && (!Uri.TryCreate(resolved.BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            yield return $"{path}:BaseUrl \"{resolved.BaseUrl}\" for {who} is not an http(s) address.";
        }

        if (provider == ModelProviderNames.AzureOpenAI && resolved.BaseUrl.Length == 0)
        {
            yield return $"{path}:BaseUrl is empty for {who}; Azure OpenAI needs the resource endpoint (for example https://my-resource.openai.azure.com).";
        }

        // The public APIs need a key; a server of one's own (a proxy, vLLM) may not.
        var needsKey = provider == ModelProviderNames.AzureOpenAI
            || (provider is ModelProviderNames.OpenAI or ModelProviderNames.Anthropic && resolved.BaseUrl.Length == 0);
        if (needsKey && resolved.ApiKey.Length == 0)
        {
            yield return $"{path}:ApiKey is empty for {who}; {provider} needs a key (set it with user-secrets or an environment variable, not in appsettings.json).";
        }

        if (resolved.MaxTokens <= 0)
        {
            yield return $"{path}:MaxTokens must be more than 0 for {who} (it is {resolved.MaxTokens.ToString(CultureInfo.InvariantCulture)}).";
        }

        if (resolved.ApiVersion.Length > 0 && provider != ModelProviderNames.AzureOpenAI)
        {
            yield return $"{path}:ApiVersion is set for {who}, but only the AzureOpenAI provider uses it.";
        }
    }

    private static bool Conflict(string alias, string name) =>
        alias.Trim().Length > 0 && name.Trim().Length > 0 && !string.Equals(alias.Trim(), name.Trim(), StringComparison.Ordinal);
}
