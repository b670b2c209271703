// Package policy decides who may see which personal data: it loads the access
// policy file (role × purpose of use → data classes allowed or masked, the
// locality rule and the operations a role may call), validates it, and answers
// per field (allow, mask, deny), per operation and per list scope for a
// principal. It also owns the masks. It knows nothing of tokens, GraphQL,
// HTTP or upstream systems: callers tell it the class of a field and whose
// data it is.
package policy
