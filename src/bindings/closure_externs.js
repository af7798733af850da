// Externs for Closure Compiler (CMakeLists.txt): browser names the JavaScript half of the bindings
// uses that the externs Emscripten 3.1.6 passes to Closure do not declare. A name declared here is
// neither renamed nor reported as undeclared.
/** @externs */

/** @type {Storage} */
var localStorage;
