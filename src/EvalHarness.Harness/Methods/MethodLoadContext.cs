using System.Reflection;
using System.Runtime.Loader;

namespace EvalHarness.Harness.Methods;

/// <summary>
/// Loads a method assembly and its private dependencies from its folder (through its .deps.json when
/// there is one, else by file name beside it). Every assembly the host itself has (EvalHarness.*, the
/// framework, anything on the host's trusted list) comes from the host, so that the method's
/// ISaliencyMethod, Tensor, … are the host's types.
/// </summary>
internal sealed class MethodLoadContext : AssemblyLoadContext
{
    private static readonly Lazy<HashSet<string>> HostAssemblies = new(() =>
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string tpa)
            foreach (var path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                names.Add(Path.GetFileNameWithoutExtension(path));
        return names;
    });

    private readonly string _folder;
    private readonly AssemblyDependencyResolver? _resolver;

    public MethodLoadContext(string assemblyPath) : base($"method:{Path.GetFileName(assemblyPath)}", isCollectible: false)
    {
        _folder = Path.GetDirectoryName(assemblyPath)!;
        try
        {
            _resolver = new AssemblyDependencyResolver(assemblyPath);
        }
        catch (InvalidOperationException)
        {
            _resolver = null; // no host policy available: fall back to files beside the assembly
        }
    }

    protected override Assembly? Load(AssemblyName name)
    {
        if (name.Name is null) return null;
        if (HostAssemblies.Value.Contains(name.Name) || Default.Assemblies.Any(a => a.GetName().Name == name.Name))
            return null; // the host's copy
        var path = _resolver?.ResolveAssemblyToPath(name);
        if (path == null)
        {
            var beside = Path.Combine(_folder, name.Name + ".dll");
            if (File.Exists(beside)) path = beside;
        }
        return path == null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver?.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path == null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
