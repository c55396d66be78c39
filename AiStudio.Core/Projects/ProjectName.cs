using AiStudio.Core.Common;

namespace AiStudio.Core.Projects;

internal static class ProjectName
{
    /// <returns>The name, trimmed.</returns>
    public static string Validate(string? name)
    {
        var error = TextInput.Problem("Project name", name, Project.NameMaxLength);
        return error is null ? name!.Trim() : throw Invalid(error);
    }

    public static InputValidationException Taken(string name) =>
        Invalid($"You already created a project named \"{name}\"; choose another name.");

    private static InputValidationException Invalid(string message) =>
        new(new Dictionary<string, string[]> { ["Name"] = [message] });
}
