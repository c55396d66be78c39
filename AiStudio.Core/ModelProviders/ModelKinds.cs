namespace AiStudio.Core.ModelProviders;

/// <summary>
/// A model kind from the seed system, as a shorthand in configuration: <c>"Kind": "Claude"</c> picks the provider
/// and a current model, so a role needs only its key. Anything set explicitly (Provider, Model) wins.
/// </summary>
/// <param name="Providers">The providers this kind may run on; the first is the one it picks.</param>
public sealed record ModelKind(string Name, string DefaultModel, IReadOnlyList<string> Providers)
{
    public string Provider => Providers[0];
}

public static class ModelKinds
{
    public static IReadOnlyList<ModelKind> All { get; } =
    [
        new("GPT-4", "gpt-4o", [ModelProviderNames.OpenAI, ModelProviderNames.AzureOpenAI]),
        // GPT-3.5 Turbo is retired; gpt-4o-mini is OpenAI's successor in its price class.
        new("GPT-3.5", "gpt-4o-mini", [ModelProviderNames.OpenAI, ModelProviderNames.AzureOpenAI]),
        new("Claude", "claude-sonnet-4-5", [ModelProviderNames.Anthropic]),
        new("Local", "llama3.1", [ModelProviderNames.Local, ModelProviderNames.OpenAI]),
    ];

    /// <summary>The kind named, ignoring case, spaces, dots and dashes ("gpt4", "GPT 3.5"); null when none matches.</summary>
    public static ModelKind? Find(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var key = Squash(name);
        return All.FirstOrDefault(k => Squash(k.Name) == key || (k.Name == "GPT-3.5" && key == "gpt35turbo"));
    }

    private static string Squash(string name) =>
        new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
