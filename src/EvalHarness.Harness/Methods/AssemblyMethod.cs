using System.Collections.Concurrent;
using System.Reflection;
using EvalHarness.Engine;
using EvalHarness.Saliency;

namespace EvalHarness.Harness.Methods;

/// <summary>
/// A user's own method from a .NET assembly: a public, non-abstract class implementing
/// <see cref="ISaliencyMethod"/> (the only one in the assembly, or the one <c>typeName</c> names), built
/// with its public constructor taking <c>IReadOnlyDictionary&lt;string, string&gt;</c> (the config's
/// parameters) or, when the config gives no parameters, a public parameterless one. The assembly is
/// loaded once per path into its own load context (<see cref="MethodLoadContext"/>).
/// </summary>
public static class AssemblyMethod
{
    private static readonly ConcurrentDictionary<string, Lazy<Assembly>> Loaded = new(StringComparer.Ordinal);

    public static ISaliencyMethod Load(string assemblyPath, string? typeName, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(assemblyPath);
        ArgumentNullException.ThrowIfNull(parameters);
        var path = Path.GetFullPath(assemblyPath);
        var assembly = LoadAssembly(path);
        var type = Choose(assembly, path, typeName);
        return Construct(type, path, parameters);
    }

    /// <summary>The public classes of <paramref name="assembly"/> a config may name.</summary>
    internal static List<Type> Implementations(Assembly assembly, string path) =>
        Types(assembly, path).Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false } && t.IsVisible
            && typeof(ISaliencyMethod).IsAssignableFrom(t)).OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();

    private static Assembly LoadAssembly(string path)
    {
        if (!File.Exists(path))
            throw new EvalHarnessException(Directory.Exists(path)
                ? $"The method assembly '{path}' is a folder; give the .dll file that holds the method."
                : $"The method assembly '{path}' does not exist; build the method's project and give the path of its .dll.");
        try
        {
            AssemblyName.GetAssemblyName(path);
        }
        catch (BadImageFormatException e)
        {
            throw new FileFormatException(path, "is not a .NET assembly (a native library or another kind of file); give the .dll that a .NET build of the method produced.", e);
        }
        catch (FileLoadException e)
        {
            throw new FileFormatException(path, $"cannot be loaded: {e.Message}", e);
        }
        var lazy = Loaded.GetOrAdd(path, p => new Lazy<Assembly>(() => new MethodLoadContext(p).LoadFromAssemblyPath(p)));
        try
        {
            return lazy.Value;
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException)
        {
            Loaded.TryRemove(path, out _);
            throw new FileFormatException(path, $"cannot be loaded as a .NET assembly: {e.Message}", e);
        }
    }

    private static Type[] Types(Assembly assembly, string path)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            var why = e.LoaderExceptions.Where(x => x != null).Select(x => x!.Message).Distinct().Take(3);
            throw new EvalHarnessException($"The method assembly '{path}' has types that cannot be loaded, usually a dependency missing beside it: " +
                string.Join(" | ", why) + " Copy the method's whole build output (with its .deps.json) into one folder.", e);
        }
    }

    private static Type Choose(Assembly assembly, string path, string? typeName)
    {
        var implementations = Implementations(assembly, path);
        if (!string.IsNullOrWhiteSpace(typeName))
        {
            var name = typeName.Trim();
            var type = Types(assembly, path).FirstOrDefault(t => t.FullName == name)
                ?? Types(assembly, path).Where(t => t.Name == name).ToList() switch
                {
                    [var only] => only,
                    [] => null,
                    var several => throw new EvalHarnessException($"The type name '{name}' is ambiguous in '{path}': " +
                        $"{string.Join(", ", several.Select(t => t.FullName))}; give the full name."),
                };
            if (type == null)
            {
                var valid = implementations.Select(t => t.FullName!).ToList();
                var near = NameMatcher.Nearest(name, valid.Concat(implementations.Select(t => t.Name)));
                throw new UnknownNameException($"The method assembly '{path}' has no type '{name}'." +
                    (near.Count > 0 ? $" Did you mean: {string.Join(", ", near)}?" : "") +
                    (valid.Count > 0 ? $" Its ISaliencyMethod implementations: {string.Join(", ", valid)}." : " It implements no ISaliencyMethod."));
            }
            if (!implementations.Contains(type))
                throw new EvalHarnessException($"The type '{type.FullName}' in '{path}' cannot be used as a method: " +
                    (!typeof(ISaliencyMethod).IsAssignableFrom(type) ? $"it does not implement {typeof(ISaliencyMethod).FullName}" + ForeignHint(type)
                    : type.IsAbstract ? "it is abstract" : "it is not a public class") +
                    (implementations.Count > 0 ? $". Its ISaliencyMethod implementations: {string.Join(", ", implementations.Select(t => t.FullName))}." : "."));
            return type;
        }
        return implementations switch
        {
            [var only] => only,
            [] => throw new EvalHarnessException($"The method assembly '{path}' has no public non-abstract class implementing {typeof(ISaliencyMethod).FullName}" +
                string.Concat(Types(assembly, path).Select(ForeignHint).Distinct()) + "."),
            _ => throw new EvalHarnessException($"The method assembly '{path}' has {implementations.Count} ISaliencyMethod implementations: " +
                $"{string.Join(", ", implementations.Select(t => t.FullName))}; name one with the method's 'type' in the config."),
        };
    }

    /// <summary>A hint when a type implements an ISaliencyMethod of another copy of EvalHarness.Saliency.</summary>
    private static string ForeignHint(Type type) =>
        type.GetInterfaces().Any(i => i.FullName == typeof(ISaliencyMethod).FullName && i != typeof(ISaliencyMethod))
            ? $" ({type.FullName} implements the interface of another copy of EvalHarness.Saliency; reference the host's and do not ship a copy of it)"
            : "";

    private static ISaliencyMethod Construct(Type type, string path, IReadOnlyDictionary<string, string> parameters)
    {
        var withParameters = type.GetConstructor([typeof(IReadOnlyDictionary<string, string>)]);
        var parameterless = type.GetConstructor(Type.EmptyTypes);
        object?[] args;
        ConstructorInfo ctor;
        if (withParameters != null)
        {
            ctor = withParameters;
            args = [parameters];
        }
        else if (parameterless != null)
        {
            if (parameters.Count > 0)
                throw new EvalHarnessException($"The method {type.FullName} from '{path}' takes no parameters (it has only a parameterless constructor), " +
                    $"but the config gives {string.Join(", ", parameters.Keys.Select(k => $"'{k}'"))}. Remove them, or add a public constructor taking IReadOnlyDictionary<string, string>.");
            ctor = parameterless;
            args = [];
        }
        else
        {
            throw new EvalHarnessException($"The method {type.FullName} from '{path}' has no public constructor the harness can call; " +
                "add a public constructor taking IReadOnlyDictionary<string, string> (the config's parameters) or a parameterless one.");
        }
        try
        {
            return (ISaliencyMethod)ctor.Invoke(args);
        }
        catch (TargetInvocationException e) when (e.InnerException is EvalHarnessException inner)
        {
            throw new EvalHarnessException($"The method {type.FullName} from '{path}' refused its parameters: {inner.Message}", inner);
        }
        catch (TargetInvocationException e) when (e.InnerException != null)
        {
            throw new EvalHarnessException($"The constructor of the method {type.FullName} from '{path}' failed: {e.InnerException.GetType().Name}: {e.InnerException.Message}", e.InnerException);
        }
    }
}
