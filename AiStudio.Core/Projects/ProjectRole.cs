namespace AiStudio.Core.Projects;

public enum ProjectRole
{
    /// <summary>Manages members and settings, and does what an editor does.</summary>
    Owner,

    /// <summary>Starts builds and decides on them.</summary>
    Editor,

    /// <summary>Reads the project's builds; decides nothing.</summary>
    Viewer,
}
