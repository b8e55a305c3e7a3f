/**
 * What web frameworks fill from the client: request objects (Flask's global `request` is a qualified name, handled
 * by the caller; here the request *parameters* of Django, DRF, Starlette/FastAPI and aiohttp views), FastAPI's
 * parameter markers (`Body`, `Query`, `File`, `UploadFile`…) and the parameters of a FastAPI or Flask route.
 */
import { type Node, parentOf } from '../syntax/parse';
import { namedChildren, unparen } from '../syntax/python';
import type { Binding, FileScopes } from '../syntax/scope';
import { decoratorsOf } from './classes';

/** Request classes whose instances carry the client's data. */
const REQUEST_TYPES = new Set([
  'fastapi.Request',
  'fastapi.requests.Request',
  'starlette.requests.Request',
  'starlette.requests.HTTPConnection',
  'aiohttp.web.Request',
  'aiohttp.web.BaseRequest',
  'aiohttp.web_request.Request',
  'aiohttp.web_request.BaseRequest',
  'django.http.HttpRequest',
  'django.http.request.HttpRequest',
  'rest_framework.request.Request',
  'flask.Request',
  'werkzeug.Request',
  'werkzeug.wrappers.Request',
  // a WebSocket's messages are the client's data too
  'fastapi.WebSocket',
  'fastapi.websockets.WebSocket',
  'starlette.websockets.WebSocket',
]);

/**
 * What an unannotated parameter named `request` (the Django/DRF/Starlette convention) holds from the client: the
 * plain names, also part of {@link TYPED_REQUEST_DATA}.
 */
const NAMED_REQUEST_DATA = new Set([
  'FILES',
  'POST',
  'GET',
  'body',
  'data',
  'files',
  'form',
  'args',
  'values',
  'json',
  'stream',
  'get_data',
  'get_json',
  'query_params',
]);

/**
 * Attributes and methods of a request object that hold what the client sent (Django `FILES`/`POST`/`body`, DRF
 * `data`, Flask `files`/`form`/`args`/`get_data()`, Starlette `body()`/`form()`/`json()`/`query_params`, aiohttp
 * `read()`/`post()`/`content`/`match_info`). Server state (`request.app`, `request.state`, `request.user`) is not.
 */
const TYPED_REQUEST_DATA = new Set([
  ...NAMED_REQUEST_DATA,
  'COOKIES',
  'META',
  'path_params',
  'headers',
  'cookies',
  'query_string',
  'content',
  'query',
  'match_info',
  'post',
  'read',
  'text',
  'multipart',
  // Starlette/FastAPI WebSocket messages (starlette/websockets.py)
  'receive',
  'receive_bytes',
  'receive_text',
  'receive_json',
  'iter_bytes',
  'iter_text',
  'iter_json',
]);

/** FastAPI parameter markers: the value comes from the request body, query, headers, cookies or path. */
const FASTAPI_MARKERS = new Set(['Body', 'Query', 'Header', 'Cookie', 'Path', 'File', 'Form']);
/** Parameters of a route that FastAPI fills with something other than client data. */
const FRAMEWORK_TYPES = ['Request', 'Response', 'BackgroundTasks', 'WebSocket', 'HTTPConnection', 'SecurityScopes'];
/** Objects whose `.get(...)`, `.post(...)`, `.route(...)` decorators declare routes. */
const APP_MAKERS = new Set([
  'fastapi.FastAPI',
  'fastapi.APIRouter',
  'flask.Flask',
  'flask.Blueprint',
  'quart.Quart',
  'quart.Blueprint',
]);
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'delete', 'patch', 'options', 'head', 'route', 'api_route']);

/**
 * True when `attribute` (`request.body`, `request.FILES`) reads client data from a request parameter: one annotated
 * with a request class, or an unannotated one named `request`.
 */
export function isRequestData(attribute: Node, scopes: FileScopes): boolean {
  const object = attribute.childForFieldName('object');
  const attr = attribute.childForFieldName('attribute')?.text ?? '';
  if (object?.type !== 'identifier') return false;
  const bindings = scopes.bindingsOf(object);
  if (bindings?.length !== 1 || bindings[0].kind !== 'param') return false;
  const param = bindings[0];
  if (param.annotation)
    return TYPED_REQUEST_DATA.has(attr) && annotationNames(param.annotation, scopes).some((n) => REQUEST_TYPES.has(n));
  return param.name === 'request' && NAMED_REQUEST_DATA.has(attr);
}

/**
 * Why a web framework fills parameter `param` from the request, or undefined: a FastAPI upload (`UploadFile`,
 * `File(...)`, `Form(...)`) or other marker (`Body(...)`, `Query(...)`, also inside `Annotated[...]`), or any
 * parameter of a FastAPI/Flask route function (path and query parameters) other than dependencies and framework
 * objects.
 */
export function requestParameter(param: Binding, fn: Node, scopes: FileScopes): string | undefined {
  const annotation = param.annotation ? annotationNames(param.annotation, scopes) : [];
  const defaultValue = parentOf(param.node)?.childForFieldName('value');
  const markers = [defaultValue, ...(param.annotation ? annotatedExtras(param.annotation) : [])]
    .map((m) =>
      m && unparen(m).type === 'call' ? scopes.qualifiedName(unparen(m).childForFieldName('function') ?? m) : undefined,
    )
    .filter((m): m is string => m !== undefined);
  if (markers.some((m) => m === 'fastapi.Depends' || m === 'fastapi.Security')) return undefined;
  if (
    annotation.some((n) => n.endsWith('.UploadFile')) ||
    markers.some((m) => m === 'fastapi.File' || m === 'fastapi.Form')
  )
    return `an uploaded file (parameter \`${param.name}\`)`;
  const marker = markers.find((m) => m.startsWith('fastapi.') && FASTAPI_MARKERS.has(m.slice('fastapi.'.length)));
  if (marker) return `HTTP request data (parameter \`${param.name}\`, ${marker})`;
  const route = routeOf(fn, scopes);
  if (!route) return undefined;
  if (route.fastapi && annotation.some((n) => FRAMEWORK_TYPES.some((t) => n.endsWith(`.${t}`)))) return undefined;
  return `HTTP request data (parameter \`${param.name}\` of the route ${route.label})`;
}

/** The route decorator of `fn` (`@app.post("/x")` with `app = FastAPI()`, `@bp.route(...)` on a Blueprint). */
function routeOf(fn: Node, scopes: FileScopes): { label: string; fastapi: boolean } | undefined {
  for (const decorator of decoratorsOf(fn)) {
    const callee = decorator.type === 'call' ? decorator.childForFieldName('function') : undefined;
    if (callee?.type !== 'attribute' || !ROUTE_METHODS.has(callee.childForFieldName('attribute')?.text ?? '')) continue;
    const object = callee.childForFieldName('object');
    for (const binding of (object?.type === 'identifier' ? scopes.bindingsOf(object) : undefined) ?? []) {
      const value = binding.kind === 'assign' && binding.value ? unparen(binding.value) : undefined;
      const maker =
        value?.type === 'call' ? scopes.qualifiedName(value.childForFieldName('function') ?? value) : undefined;
      if (maker && APP_MAKERS.has(maker)) return { label: callee.text, fastapi: maker.startsWith('fastapi.') };
    }
  }
  return undefined;
}

/**
 * Qualified names an annotation mentions: `UploadFile`, `Optional[UploadFile]`, `list[UploadFile]`, `Request`,
 * `UploadFile | None`, `Annotated[bytes, File()]` (the first argument only).
 */
function annotationNames(annotation: Node, scopes: FileScopes): string[] {
  const names: string[] = [];
  const stack: Node[] = [annotation];
  while (stack.length && names.length < 16) {
    const node = unparen(stack.pop()!);
    if (node.type === 'identifier' || node.type === 'attribute') {
      const q = scopes.qualifiedName(node);
      if (q) names.push(q);
      continue;
    }
    if (node.type === 'call') continue; // `Annotated[..., File()]`: a marker, not a type
    if (node.type === 'generic_type' && isAnnotated(node, scopes)) {
      const first = node.namedChildren.find((c) => c?.type === 'type_parameter')?.namedChild(0);
      if (first) stack.push(first);
      continue;
    }
    for (const child of namedChildren(node)) stack.push(child);
  }
  return names;
}

/** The metadata of `Annotated[T, x, y]`: `[x, y]`. */
function annotatedExtras(annotation: Node): Node[] {
  const node = unparen(annotation.type === 'type' ? (annotation.namedChild(0) ?? annotation) : annotation);
  if (node.type !== 'generic_type' || node.namedChild(0)?.text.split('.').pop() !== 'Annotated') return [];
  const params = node.namedChildren.find((c) => c?.type === 'type_parameter');
  return (params ? namedChildren(params).slice(1) : []).map((t) => (t.type === 'type' ? (t.namedChild(0) ?? t) : t));
}

function isAnnotated(generic: Node, scopes: FileScopes): boolean {
  const head = generic.namedChild(0);
  const name = head ? scopes.qualifiedName(head) : undefined;
  return name === 'typing.Annotated' || name === 'typing_extensions.Annotated';
}
