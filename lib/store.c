/* SPDX-License-Identifier: MIT */
#include "store.h"

const char *store_strerror(int err)
{
	switch (err) {
	case STORE_OK:
		return "no error";
	case STORE_ERR_UNAVAILABLE:
		return "no Secret Service (keyring) answers on the session bus";
	case STORE_ERR_LOCKED:
		return "the keyring is locked";
	case STORE_ERR_DISMISSED:
		return "the keyring unlock prompt was dismissed";
	case STORE_ERR_TIMEOUT:
		return "the keyring did not answer in time";
	case STORE_ERR_FAILED:
		return "the keyring refused the request";
	case STORE_ERR_NOT_FOUND:
		return "the keyring item no longer exists";
	}
	return "unknown keyring error";
}
