using AiStudio.Core.Common;

namespace AiStudio.Core.Projects;

internal static class ProjectName
{
    /// <returns>The name, trimmed.</returns>
    public static string Validate(string? name)
    {
        var text = name?.Trim() ?? "";
        string? error = text switch
        {
            "" => "Project name is required.",
            _ when text.Length > Project.NameMaxLength => $"Project name must be at most {Project.NameMaxLength} characters (it has {text.Length}).",
            _ when text.Any(char.IsControl) => "Project name contains control characters; remove them.",
            _ => null,
        };
        return error is null ? text : throw Invalid(error);
    }

    public static InputValidationException Taken(string name) =>
        Invalid($"You already created a project named \"{name}\"; choose another name.");

    private static InputValidationException Invalid(string message) =>
        new(new Dictionary<string, string[]> { ["Name"] = [message] });
}
