/* SPDX-License-Identifier: MIT */
#ifndef BBTOKEN_SECRETSERVICE_H
#define BBTOKEN_SECRETSERVICE_H

/*
 * What both Secret Service backends agree on: our schema and the item
 * attributes.  The attributes serve searching (host) and people browsing
 * their keyring; the truth is in the secret (token.h).
 */
#define SS_SCHEMA_NAME "org.bbtoken.Token"

#define SS_ATTR_HOST "host"
#define SS_ATTR_PROTOCOL "protocol"
#define SS_ATTR_USERNAME "username"
#define SS_ATTR_KIND "kind"
#define SS_ATTR_WORKSPACE "workspace"
#define SS_ATTR_REPOSITORY "repository"
#define SS_ATTR_PATH "path"
#define SS_ATTR_LABEL "label"
#define SS_ATTR_EXPIRES "expires"     /* YYYY-MM-DD, or "" when unknown */
#define SS_ATTR_STATE "state"         /* "ok" or "rejected" */
#define SS_ATTR_ORIGIN "origin"       /* "added" or "git" */

#endif
