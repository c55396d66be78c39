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

    /// <summary>How long one model call may take before it counts as failed.</summary>
    public int TimeoutSeconds { get; set; } = 100;

    public ModelEndpointOptions For(AiRole role) =>
        Roles.FirstOrDefault(r => string.Equals(r.Key, role.ToString(), StringComparison.OrdinalIgnoreCase)).Value ?? Default;
}

public sealed class ModelEndpointOptions
{
    public string Provider { get; set; } = ModelProviderNames.Offline;
    public string Model { get; set; } = "";

    /// <summary>Empty for api.openai.com; otherwise the server's address, with or without "/v1".</summary>
    public string BaseUrl { get; set; } = "";

    public string ApiKey { get; set; } = "";

    // Options objects end up in log messages and debugger views; the key must not.
    public override string ToString() =>
        $"Provider={Provider}, Model={Model}, BaseUrl={BaseUrl}, ApiKey={(string.IsNullOrEmpty(ApiKey) ? "(none)" : "(set)")}";
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

    public static IReadOnlyList<string> All { get; } = [Offline, OpenAI];

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
        if (options.TimeoutSeconds <= 0)
        {
            yield return $"{ModelOptions.SectionName}:TimeoutSeconds must be more than 0 (it is {options.TimeoutSeconds}).";
        }

        if (options.Offline.ChunkDelayMilliseconds < 0)
        {
            yield return $"{ModelOptions.SectionName}:Offline:ChunkDelayMilliseconds must be 0 or more.";
        }

        foreach (var problem in Problems($"{ModelOptions.SectionName}:Default", "the default model", options.Default))
        {
            yield return problem;
        }

        var roleNames = string.Join(", ", Enum.GetNames<AiRole>());
        foreach (var (key, endpoint) in options.Roles.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var path = $"{ModelOptions.SectionName}:Roles:{key}";
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
        var provider = ModelProviderNames.Normalize(endpoint.Provider);
        if (provider is null)
        {
            yield return $"{path}:Provider is \"{endpoint.Provider}\" for {who}; use one of: {string.Join(", ", ModelProviderNames.All)}.";
            yield break;
        }

        if (provider == ModelProviderNames.OpenAI)
        {
            if (string.IsNullOrWhiteSpace(endpoint.Model))
            {
                yield return $"{path}:Model is empty for {who}; the OpenAI provider needs a model id (for example gpt-4o-mini).";
            }

            if (!string.IsNullOrWhiteSpace(endpoint.BaseUrl)
                && (!Uri.TryCreate(endpoint.BaseUrl.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            {
                yield return $"{path}:BaseUrl \"{endpoint.BaseUrl}\" for {who} is not an http(s) address.";
            }
        }
    }
}
